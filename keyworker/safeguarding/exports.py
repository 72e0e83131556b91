"""The child-protection file for the receiving school's designated safeguarding lead: a structured record (JSON) and
the same as a PDF drawn with reportlab. Concerns hold the statutory content: a clear summary, how it was followed
up, decisions and their reasons, and the outcome."""

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from keyworker.core import clock
from keyworker.people.models import Child

from .models import Concern, Entry

FORMAT = "keyworker.child_protection_file/1"

_TABLE = TableStyle([
    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
    ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef1f5")),
    ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"),
    ("FONTSIZE", (0, 0), (-1, -1), 9),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
])


def _d(value) -> str | None:
    return value.isoformat() if value else None


def _entry(e: Entry) -> dict:
    out = {"kind": e.kind, "at": _d(e.at), "by": e.by.user.full_name, "summary": e.text, "concern": e.concern_id}
    if e.reason:
        out["reasons"] = e.reason
    if e.kind == "action":
        out.update(assigned_to=e.assigned_to.user.full_name if e.assigned_to else None, due_on=_d(e.due_on), done_at=_d(e.done_at))
    if e.kind == "referral":
        out.update(agency=e.get_agency_display(), made_on=_d(e.made_on), reference=e.reference,
                   decision_due_on=_d(e.decision_due_on), follow_up_on=_d(e.follow_up_on), answered_on=_d(e.response_on))
    if e.kind == "status":
        out.update(status_from=e.status_from, status_to=e.status_to)
    if e.kind == "transfer":
        out.update(sent_to=e.sent_to, sent_on=_d(e.made_on), receipt_on=_d(e.receipt_on))
    return out


def _concern(c: Concern, entries: list[Entry]) -> dict:
    own = [e for e in entries if e.concern_id == c.pk]
    return {
        "id": c.pk, "category": c.get_category_display(), "happened_at": _d(c.happened_at), "raised_at": _d(c.raised_at),
        "raised_by": c.raised_by.user.full_name, "what_happened": c.what_happened, "present": c.present,
        "lead_told_in_person": c.lead_told, "state": c.state, "closed_at": _d(c.closed_at),
        "children": [link.child.display_name for link in c.links.all()],
        "follow_up": [_entry(e) for e in own if e.kind in ("action", "referral", "addendum")],
        "decisions": [_entry(e) for e in own if e.kind == "decision"],
        "outcome": [_entry(e) for e in own if e.kind in ("outcome", "closure")],
    }


def child_protection_file(child: Child, concerns: list[Concern], entries: list[Entry], lines, *, exported_by: str) -> dict:
    return {
        "format": FORMAT,
        "exported_at": _d(clock.now()),
        "exported_by": exported_by,
        "from_setting": child.setting.name,
        "child": {
            "legal_first_name": child.legal_first_name, "legal_last_name": child.legal_last_name,
            "preferred_name": child.preferred_name, "date_of_birth": _d(child.date_of_birth), "upn": child.upn,
            "year_group": child.year_group, "left_on": _d(child.left_on),
            "protection_status": child.get_protection_status_display() if child.protection_status else "",
        },
        "concerns": [_concern(c, entries) for c in concerns],
        "chronology": [
            {"at": _d(ln.at), "kind": ln.kind, "label": ln.label,
             "summary": ln.concern.what_happened if ln.concern else ln.entry.text,
             "by": (ln.concern.raised_by if ln.concern else ln.entry.by).user.full_name}
            for ln in lines
        ],
    }


def _p(text: str, style) -> Paragraph:
    return Paragraph(escape(text or "–").replace("\n", "<br/>"), style)


def _table(rows: list[tuple[str, str]], body) -> Table:
    table = Table([[_p(a, body), _p(b, body)] for a, b in rows], colWidths=[45 * mm, 125 * mm], hAlign="LEFT")
    table.setStyle(_TABLE)
    return table


def pdf(data: dict, *, compress: bool = True) -> bytes:
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    child = data["child"]
    name = f"{child['preferred_name'] or child['legal_first_name']} {child['legal_last_name']}"
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=f"Child-protection file: {name}", author=data["from_setting"],
                            leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
                            pageCompression=1 if compress else 0, invariant=0 if compress else 1, lang="en-GB")
    story: list = [
        _p("CONFIDENTIAL: child-protection file", styles["Title"]),
        _p("For the designated safeguarding lead of the receiving school only. Keep apart from the pupil file.", body),
        _table([
            ("Child", f"{child['legal_first_name']} {child['legal_last_name']}"),
            ("Date of birth", child["date_of_birth"] or ""), ("UPN", child["upn"]), ("Year group", child["year_group"]),
            ("Protection status", child["protection_status"] or "None"), ("Left on", child["left_on"] or ""),
            ("From", data["from_setting"]), ("Exported", f"{data['exported_at']} by {data['exported_by']}"),
        ], body),
        Spacer(1, 4 * mm),
    ]
    for c in data["concerns"]:
        story += [_p(f"Concern: {c['category']} ({c['happened_at'][:10]})", styles["Heading2"]),
                  _table([("Raised by", f"{c['raised_by']}, {c['raised_at'][:16].replace('T', ' ')}"),
                          ("Children", ", ".join(c["children"])), ("Summary", c["what_happened"]),
                          ("Present", c["present"]), ("State", c["state"])], body)]
        for title, key in (("Follow-up", "follow_up"), ("Decisions and reasons", "decisions"), ("Outcome", "outcome")):
            if c[key]:
                story.append(_p(title, styles["Heading4"]))
                story.append(_table([(f"{e['at'][:10]} {e['kind']}", e["summary"] + (f" Reasons: {e['reasons']}" if e.get("reasons") else ""))
                                     for e in c[key]], body))
        story.append(Spacer(1, 3 * mm))
    story.append(_p("Chronology", styles["Heading2"]))
    story.append(_table([(f"{ln['at'][:10]} {ln['label']}", f"{ln['summary']} ({ln['by']})") for ln in data["chronology"]]
                        or [("", "Nothing recorded.")], body))
    doc.build(story)
    return buffer.getvalue()
