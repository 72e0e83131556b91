"""The pupil booklet (SCH-7): a PDF of the child's profile for the annual review, drawn with reportlab.

It holds only what the family may see: the child's details and key worker, the key aspects a family is told (never
safeguarding or restricted records, nor staff's behaviour plans and risk assessments), attendance this school year
(the attendance app's figures), recent celebrations and the family's own "All about my family".
"""

import datetime as dt
import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from keyworker.attendance.selectors import rates_by_child
from keyworker.celebrations.models import Celebration
from keyworker.core.booklet_sections import BookletPart, booklet_parts
from keyworker.core.dates import on_screen
from keyworker.organisations.calendar import TermCalendar
from keyworker.people.models import KeyAspects
from keyworker.standards.pdf import NumberedCanvas

from . import reviews
from .models import AnnualReview, FamilyViewsState

# Key aspects a family may read in the booklet, in the order shown.
FAMILY_ASPECTS = (("first_language", "First language"), ("religion", "Religion"), ("medical_needs", "Medical needs"),
                  ("allergies", "Allergies"), ("outside_agencies", "Outside agencies who support us"))
CELEBRATIONS_SHOWN = 8
CELEBRATIONS_DAYS = 183

_TABLE = TableStyle([
    ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#b1b4b6")),
    ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef4f8")),
    ("FONTSIZE", (0, 0), (-1, -1), 10),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("TOPPADDING", (0, 0), (-1, -1), 4),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
])


@dataclass
class BookletContent:
    review: AnnualReview
    key_worker: str
    aspects: list[tuple[str, str]]
    attendance: str
    attendance_detail: str
    celebrations: list[Celebration]
    as_of: dt.date
    # What other apps add (keyworker.core.booklet_sections), e.g. the child's learning targets.
    parts: list[BookletPart] = field(default_factory=list)


def percent_text(value) -> str:
    """"96.5%", "100%": the British way, no space, no ".0"."""
    return f"{float(value):.1f}".removesuffix(".0") + "%"

def booklet_content(review: AnnualReview, as_of: dt.date) -> BookletContent:
    """What the booklet says, read in a fixed number of queries."""
    child = review.child
    staff = reviews.key_worker_of(review)
    aspects_row = KeyAspects.objects.filter(child_id=child.pk).first()
    aspects = [(label, getattr(aspects_row, f, "") or "") for f, label in FAMILY_ASPECTS] if aspects_row else []
    start = TermCalendar.for_setting(review.setting).school_year_start(as_of) or dt.date(reviews.school_year_start(as_of), 9, 1)
    rates = rates_by_child(review.organisation_id, [child.pk], start, as_of).get(child.pk)
    if rates is None or not rates.possible:
        attendance, detail = "No attendance recorded yet this school year.", ""
    else:
        attendance = percent_text(rates.attendance_pct)
        detail = f"{rates.present} of {rates.possible} sessions since {on_screen(start)}."
    celebrations = list(
        Celebration.objects.filter(child_id=child.pk, voided_at__isnull=True, shared_on__isnull=False,
                                   celebrated_on__gte=as_of - dt.timedelta(days=CELEBRATIONS_DAYS))
        .order_by("-celebrated_on", "-id")[:CELEBRATIONS_SHOWN]
    )
    return BookletContent(review, staff.user.full_name if staff else "", [(k, v) for k, v in aspects if v.strip()],
                          attendance, detail, celebrations, as_of, booklet_parts(child, as_of))


def _styles():
    styles = getSampleStyleSheet()
    body = ParagraphStyle("Body", parent=styles["BodyText"], fontSize=11, leading=15)
    heading = ParagraphStyle("H2", parent=styles["Heading2"], textColor=colors.HexColor("#1d4f76"), keepWithNext=1,
                             spaceBefore=8)
    title = ParagraphStyle("T", parent=styles["Title"], textColor=colors.HexColor("#1d4f76"), alignment=0)
    return title, heading, body


def _p(text: str, style) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _table(rows: list[tuple[str, str]], body) -> Table:
    table = Table([[_p(a, body), _p(b, body)] for a, b in rows], colWidths=[55 * mm, 115 * mm], hAlign="LEFT")
    table.setStyle(_TABLE)
    return table


def booklet_pdf(content: BookletContent, *, compress: bool = True) -> bytes:
    review, child = content.review, content.review.child
    title_style, heading, body = _styles()
    name = child.preferred_name or child.legal_first_name
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, title=f"Pupil booklet: {child.display_name}", author=review.setting.name,
        leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
        pageCompression=1 if compress else 0, invariant=0 if compress else 1, lang="en-GB",
    )
    meeting = reviews.meeting_day(review)
    about = [("Name", child.display_name), ("Class", child.group.name if child.group_id and child.group else "–"),
             ("Year group", reviews.year_group_of(child) or "–"), ("Date of birth", on_screen(child.date_of_birth))]
    if content.key_worker:
        about.append((review.setting.key_worker_label.capitalize(), content.key_worker))
    about.append(("Annual review", on_screen(meeting) if meeting else f"Due by {on_screen(review.due_by)}"))
    story: list = [_p(f"{name}'s pupil booklet", title_style), _p(f"{review.setting.name} · for the annual review", body),
                   Spacer(1, 4 * mm), _p(f"About {name}", heading), _table(about, body)]
    story += [_p("Things we all need to know", heading)]
    story.append(_table(content.aspects, body) if content.aspects else _p("Nothing recorded.", body))
    story += [_p("Attendance this school year", heading), _p(content.attendance, body)]
    if content.attendance_detail:
        story.append(_p(content.attendance_detail, body))
    story.append(_p("Recent celebrations", heading))
    if content.celebrations:
        story.append(_table([(on_screen(c.celebrated_on), f"{c.get_kind_display()}: {c.title}") for c in content.celebrations], body))
    else:
        story.append(_p("None shared in the last six months.", body))
    for part in content.parts:
        story.append(_p(part.heading, heading))
        story.append(_table(part.rows, body) if part.rows else _p(part.empty or "Nothing recorded.", body))
    views = getattr(review, "family_views", None)
    family: list = [_p("All about my family", heading)]
    if views is None or views.state == FamilyViewsState.NOT_STARTED:
        family.append(_p("Not filled in yet.", body))
    else:
        if views.state != FamilyViewsState.DONE:
            family.append(_p("Still being written by the family.", body))
        answers = [(label, getattr(views, f)) for f, label in (("going_well", "What is going well"), ("hard", "What is hard"),
                                                                ("hopes", "What we hope for"), ("questions", "Questions for the meeting"))]
        family.append(_table([(a, b or "–") for a, b in answers], body))
    story.append(KeepTogether(family))
    story += [Spacer(1, 6 * mm), _p(f"Produced on {on_screen(content.as_of)}.", body)]
    footer = f"Pupil booklet: {child.display_name}"
    doc.build(story, canvasmaker=type("BookletCanvas", (NumberedCanvas,), {"footer": footer}))
    return buffer.getvalue()
