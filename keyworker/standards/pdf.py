"""The evidence pack as a PDF document, drawn with reportlab: a title, the period, and a table per section.

Every page carries "Page 3 of 12" at its foot; a heading never stands alone at the foot of a page (it keeps with what
follows it), and a clause's heading, words and summary move to the next page together.
"""

import copy
import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .evidence_pack import ClauseFigures, EvidencePack, long_date

_TABLE = TableStyle([
    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
    ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef1f5")),
    ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"),
    ("FONTSIZE", (0, 0), (-1, -1), 9),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
])


class NumberedCanvas(Canvas):
    """A canvas that holds its pages until the end, so that each can say how many there are."""

    footer = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self):  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._draw_footer(number, total)
            super().showPage()
        super().save()

    def _draw_footer(self, number: int, total: int) -> None:
        width, _ = self._pagesize
        self.saveState()
        self.setFont("Helvetica", 8)
        self.setFillColor(colors.HexColor("#505a5f"))
        if self.footer:
            self.drawString(18 * mm, 10 * mm, self.footer.replace("\u2212", "-"))
        self.drawRightString(width - 18 * mm, 10 * mm, f"Page {number} of {total}")
        self.restoreState()


def _canvas_for(footer: str):
    return type("PackCanvas", (NumberedCanvas,), {"footer": footer})


def _styles():
    """The sample styles, with every heading kept with the flowable after it."""
    styles = getSampleStyleSheet()
    for name in ("Title", "Heading2", "Heading3", "Heading4"):
        style = copy.copy(styles[name])
        style.keepWithNext = 1
        styles.byName[name] = style
    return styles


def _p(text: str, style) -> Paragraph:
    # The minus sign is not in the standard PDF fonts' character set: a hyphen stands in for it.
    return Paragraph(escape(text.replace("\u2212", "-")), style)


def _table(rows: list[tuple[str, str]], body) -> Table:
    """A two-column table: the label (a row heading) and its value, wrapped to the page width."""
    data = [[_p(label, body), _p(value, body)] for label, value in rows]
    table = Table(data, colWidths=[70 * mm, 100 * mm], hAlign="LEFT")
    table.setStyle(_TABLE)
    return table


def _clause(c: ClauseFigures, pack: EvidencePack, styles) -> list:
    body = styles["BodyText"]
    opening = [_p(f"{c.standard.clause} {c.standard.title}", styles["Heading3"])]
    if c.standard.description:
        opening.append(_p(f"The policy says: {c.standard.description}", body))
    if not c.standard.enabled:
        opening.append(_p("This standard is switched off.", body))
    opening += [_p(c.summary_text + ".", body), Spacer(1, 2 * mm), _table(c.rows(), body)]
    # The clause's heading, words, summary and figures on one page: the table is short enough to go with them.
    out: list = [KeepTogether(opening)]
    if c.reasons:
        out += [Spacer(1, 2 * mm), KeepTogether([_p("Reasons given for waiving", styles["Heading4"]),
                                                 _table([(reason, str(n)) for reason, n in c.reasons], body)])]
    out.append(Spacer(1, 4 * mm))
    return out


def evidence_pack_pdf(pack: EvidencePack, *, compress: bool = True) -> bytes:
    """The whole pack as PDF bytes. `compress=False` leaves the text readable in the file (for checks)."""
    styles = _styles()
    body = styles["BodyText"]
    buffer = io.BytesIO()
    title = f"Evidence pack: {pack.setting.name}"
    same_name = pack.where == pack.setting.name
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, title=title, author=pack.organisation_name, subject=f"Compliance, {pack.period_label}",
        leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
        pageCompression=1 if compress else 0, invariant=0 if compress else 1, lang="en-GB",
    )
    story: list = [
        _p(title, styles["Title"]),
        _table([
            *([("Organisation and setting", pack.setting.name)] if same_name else
              [("Organisation", pack.organisation_name), ("Setting", pack.setting.name)]),
            ("Period", pack.period_label),
            ("Figures as of", long_date(pack.as_of)),
            ("Produced", f"{long_date(pack.generated_at.date())} {pack.generated_at:%H:%M} UTC"),
        ], body),
        Spacer(1, 3 * mm),
        _p("Counts are of obligations due in the period: one per family or child and per week, half term or term of "
           "the standard.", body),
        _p(pack.definition, body),
        _p(f"{pack.setting.key_worker_label.capitalize()} coverage"
           + (f" ({pack.coverage_clause})" if pack.coverage_clause else ""), styles["Heading2"]),
        _table([
            ("Families on roll", str(pack.coverage.families)),
            (f"With a {pack.setting.key_worker_label}", str(pack.coverage.allocated)),
            ("Share covered", f"{pack.coverage.share.percent} %" if pack.coverage.families else "No families on roll"),
        ], body),
    ]
    if not pack.sections:
        story.append(_p("No policy has been adopted yet, so there are no standards to report on.", body))
    for section in pack.sections:
        story += [_p(f"Policy: {section.policy.title}", styles["Heading2"]), _table(section.rows(), body), Spacer(1, 3 * mm)]
        if not section.clauses:
            story.append(_p("No standard of this policy applies to this setting.", body))
        for c in section.clauses:
            story += _clause(c, pack, styles)
    doc.build(story, canvasmaker=_canvas_for(f"Evidence pack: {pack.where}, {pack.period_label}"))
    return buffer.getvalue()
