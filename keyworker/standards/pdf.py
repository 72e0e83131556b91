"""The evidence pack as a PDF document, drawn with reportlab: a title, the period, and a table per section."""

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .evidence_pack import ClauseFigures, EvidencePack, long_date

_TABLE = TableStyle([
    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
    ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef1f5")),
    ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"),
    ("FONTSIZE", (0, 0), (-1, -1), 9),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
])


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
    out = [_p(f"{c.standard.clause} {c.standard.title}", styles["Heading3"])]
    if c.standard.description:
        out.append(_p(f"The policy says: {c.standard.description}", body))
    if not c.standard.enabled:
        out.append(_p("This standard is switched off.", body))
    out += [_p(c.summary_text + ".", body), Spacer(1, 2 * mm), _table(c.rows(), body)]
    if c.reasons:
        out += [Spacer(1, 2 * mm), _p("Reasons given for waiving", styles["Heading4"]),
                _table([(reason, str(n)) for reason, n in c.reasons], body)]
    out.append(Spacer(1, 4 * mm))
    return out


def evidence_pack_pdf(pack: EvidencePack, *, compress: bool = True) -> bytes:
    """The whole pack as PDF bytes. `compress=False` leaves the text readable in the file (for checks)."""
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    buffer = io.BytesIO()
    title = f"Evidence pack: {pack.setting.name}"
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, title=title, author=pack.organisation_name, subject=f"Compliance, {pack.period_label}",
        leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
        pageCompression=1 if compress else 0, invariant=0 if compress else 1, lang="en-GB",
    )
    story: list = [
        _p(title, styles["Title"]),
        _table([
            ("Organisation", pack.organisation_name),
            ("Setting", pack.setting.name),
            ("Period", pack.period_label),
            ("Figures as of", long_date(pack.as_of)),
            ("Produced", f"{long_date(pack.generated_at.date())} {pack.generated_at:%H:%M} UTC"),
        ], body),
        Spacer(1, 3 * mm),
        _p("Counts are of obligations due in the period: one per family or child and per week, half term or term of "
           "the standard.", body),
        _p(pack.definition, body),
        _p(f"{pack.setting.key_worker_label.capitalize()} coverage (SCH-A1)", styles["Heading2"]),
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
    doc.build(story)
    return buffer.getvalue()
