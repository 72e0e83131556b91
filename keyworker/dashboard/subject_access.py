"""Subject access: everything the organisation holds about one child or one carer, in one action.

The records are found by the data model itself, so a new kind of record is in the pack the day it is added: every
model with a foreign key or many-to-many to the child (for a child, also to their family: a family's records are
about each of its children) or to the carer, within the organisation. Each row gives its fields by their names;
a reference to another record gives that record's name, read in one query per kind of record, so a pack takes a
fixed number of queries per kind whatever the number of rows.

Withheld, and said so with a count: the safeguarding team's records (the designated safeguarding lead reviews them
before any disclosure: exemptions for serious harm apply), and the words of contacts flagged as a safeguarding
concern. Never included: passwords, tokens and keys.

`subject_access_pack` gives the data; `subject_access_pdf` a readable PDF (reportlab); `subject_access_zip` both,
with a machine-readable JSON file, as one download.
"""

import datetime as dt
import io
import json
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.apps import apps
from django.db import models

from keyworker.core import clock
from keyworker.core.dates import on_screen
from keyworker.organisations.models import Organisation
from keyworker.people.models import Carer, Child, Family

WITHHELD_APPS = {"safeguarding": "Safeguarding records: reviewed by the designated safeguarding lead before disclosure"}
SECRET_WORDS = ("password", "token", "secret", "key_hash", "digest", "otp", "private")
SKIPPED_FIELDS = {"organisation", "version"}
# Contacts flagged as a safeguarding concern: what they say is withheld like the safeguarding records.
RESTRICTED_TEXT = {"contacts.contactlog": ("safeguarding_category", ("write_up", "follow_up"))}
MAX_ROWS_PER_KIND = 20_000


@dataclass
class Section:
    label: str  # e.g. "Contact logs"
    model: str  # app_label.model_name
    columns: list[str]
    rows: list[list[Any]]
    withheld_text: int = 0  # rows whose words were withheld


@dataclass
class Pack:
    subject: str  # "child" or "carer"
    name: str
    organisation: str
    made_on: dt.date
    made_by: str
    sections: list[Section] = field(default_factory=list)
    withheld: list[tuple[str, int]] = field(default_factory=list)  # (what, how many)

    @property
    def records(self) -> int:
        return sum(len(s.rows) for s in self.sections)


def _is_secret(f: models.Field) -> bool:
    return any(word in f.name.lower() for word in SECRET_WORDS)


def _links(target) -> list[tuple[type[models.Model], models.Field]]:
    """(model, field) pairs whose foreign key, one-to-one or many-to-many points at the target model."""
    found = []
    for model in apps.get_models():
        for f in model._meta.get_fields():
            if (f.many_to_one or f.one_to_one or f.many_to_many) and f.concrete and f.related_model is target:
                found.append((model, f))
    return found


def _value(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.astimezone(dt.UTC).isoformat(timespec="seconds") if v.tzinfo else v.isoformat(timespec="seconds")
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, (bytes, memoryview)):
        return f"({len(bytes(v))} bytes)"
    return v


def _section(model, qs, names: dict) -> Section:
    fields = [f for f in model._meta.concrete_fields
              if f.name not in SKIPPED_FIELDS and not _is_secret(f) and not f.primary_key]
    m2m = [f for f in model._meta.many_to_many]
    restricted = RESTRICTED_TEXT.get(model._meta.label_lower)
    rows, withheld = [], 0
    objs = list(qs.prefetch_related(*[f.name for f in m2m])[:MAX_ROWS_PER_KIND]) if m2m else list(qs[:MAX_ROWS_PER_KIND])
    for obj in objs:
        hide = restricted is not None and bool(getattr(obj, restricted[0], ""))
        withheld += hide
        row: list[Any] = [obj.pk]
        for f in fields:
            raw = getattr(obj, f.attname)
            if hide and f.name in restricted[1]:
                row.append("(withheld: a safeguarding concern)")
            elif f.is_relation:
                row.append(names.get((f.related_model, raw), raw) if raw is not None else None)
            elif f.choices and raw not in (None, ""):
                row.append(str(dict(f.flatchoices).get(raw, raw)))
            else:
                row.append(_value(raw))
        for f in m2m:
            row.append("; ".join(str(o) for o in getattr(obj, f.name).all()))
        rows.append(row)
    columns = ["Record"] + [str(f.verbose_name).capitalize() for f in fields] + [str(f.verbose_name).capitalize() for f in m2m]
    return Section(str(model._meta.verbose_name_plural).capitalize(), model._meta.label_lower, columns, rows, withheld)


def _names(querysets: list[tuple[type[models.Model], models.QuerySet]]) -> dict:
    """A name for each record the rows refer to: one query per kind of record referred to."""
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for model, qs in querysets:
        rel_fields = [f for f in model._meta.concrete_fields if f.is_relation and f.name not in SKIPPED_FIELDS]
        if not rel_fields:
            continue
        for values in qs.values_list(*[f.attname for f in rel_fields])[:MAX_ROWS_PER_KIND]:
            for f, v in zip(rel_fields, values, strict=True):
                if v is not None:
                    wanted[f.related_model].add(v)
    names = {}
    for target, ids in wanted.items():
        for obj in target._default_manager.filter(pk__in=ids):
            names[(target, obj.pk)] = _display(obj)
    return names


def _display(obj) -> str:
    for attr in ("display_name", "full_name"):
        value = getattr(obj, attr, None)
        if isinstance(value, str) and value:
            return value
    return str(obj)


def _collect(organisation_id: int, targets: list[tuple[type[models.Model], list[int]]]) -> tuple[list, list]:
    querysets, withheld = [], []
    seen: set[tuple[str, str]] = set()
    for target, ids in targets:
        for model, f in _links(target):
            key = (model._meta.label_lower, f.name)
            if key in seen or not ids or (model is Child and target is Family):  # not the siblings' own records
                continue
            seen.add(key)
            qs = model._default_manager.filter(**{f"{f.name}__in": ids})
            if any(x.name == "organisation" for x in model._meta.concrete_fields):
                qs = qs.filter(organisation_id=organisation_id)
            qs = qs.distinct().order_by("pk")
            if model._meta.app_label in WITHHELD_APPS:
                n = qs.count()
                if n:
                    withheld.append((f"{WITHHELD_APPS[model._meta.app_label]} ({model._meta.verbose_name_plural})", n))
                continue
            querysets.append((model, qs))
    return querysets, withheld


def _merge(querysets: list) -> list:
    """One queryset per model (a model linked twice, e.g. to the child and to the family, is one section)."""
    by_model: dict = {}
    for model, qs in querysets:
        by_model[model] = by_model[model] | qs if model in by_model else qs
    return list(by_model.items())


def subject_access_pack(*, subject, made_by: str, as_of: dt.date | None = None) -> Pack:
    """Everything held about a child (with their family's records) or a carer."""
    as_of = as_of or clock.today()
    if isinstance(subject, Child):
        targets = [(Child, [subject.pk]), (Family, [subject.family_id])]
        own = [(Child, Child.objects.filter(pk=subject.pk)), (Family, Family.objects.filter(pk=subject.family_id))]
        kind, name = "child", subject.display_name
    elif isinstance(subject, Carer):
        targets = [(Carer, [subject.pk])]
        own = [(Carer, Carer.objects.filter(pk=subject.pk))]
        if subject.user_id:  # their sign-in to the carers' portal
            user_model = Carer._meta.get_field("user").related_model
            own.append((user_model, user_model.objects.filter(pk=subject.user_id)))
        kind, name = "carer", f"{subject.first_name} {subject.last_name}".strip()
    else:
        raise TypeError("A subject access pack is for a child or a carer.")
    querysets, withheld = _collect(subject.organisation_id, targets)
    querysets = own + _merge(querysets)
    names = _names(querysets)
    pack = Pack(kind, name, str(Organisation.objects.get(pk=subject.organisation_id)), as_of, made_by, withheld=withheld)
    for model, qs in querysets:
        section = _section(model, qs, names)
        if section.rows:
            pack.sections.append(section)
    if any(s.withheld_text for s in pack.sections):
        pack.withheld.append(("The words of contacts flagged as a safeguarding concern",
                              sum(s.withheld_text for s in pack.sections)))
    return pack


def pack_json(pack: Pack) -> bytes:
    return json.dumps({
        "subject": pack.subject, "name": pack.name, "organisation": pack.organisation,
        "made_on": pack.made_on.isoformat(), "made_by": pack.made_by,
        "records": {s.model: {"label": s.label, "rows": [dict(zip(s.columns, r, strict=True)) for r in s.rows]}
                    for s in pack.sections},
        "withheld": [{"what": w, "count": n} for w, n in pack.withheld],
    }, indent=2, ensure_ascii=False, default=str).encode("utf-8")


def subject_access_pdf(pack: Pack) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    body, small = styles["BodyText"], styles["BodyText"].clone("small", fontSize=8, leading=10)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm, topMargin=16 * mm, bottomMargin=16 * mm,
                            title=f"Subject access: {pack.name}", author=pack.organisation)
    story = [
        Paragraph(escape(f"Subject access: {pack.name}"), styles["Title"]),
        Paragraph(escape(f"Everything {pack.organisation} holds about this {pack.subject} in Keyworker, on "
                         f"{on_screen(pack.made_on)}, prepared by {pack.made_by}. {pack.records} records in "
                         f"{len(pack.sections)} kinds."), body),
    ]
    if pack.subject == "child":
        story.append(Paragraph("The family's records are included: they may name other members of the family. Review "
                               "them before disclosure.", body))
    if pack.withheld:
        story.append(Paragraph("Withheld from this pack", styles["Heading2"]))
        for what, n in pack.withheld:
            story.append(Paragraph(escape(f"{what}: {n}."), body))
    for s in pack.sections:
        story.append(Paragraph(escape(f"{s.label} ({len(s.rows)})"), styles["Heading2"]))
        for row in s.rows:
            parts = [f"<b>{escape(c)}</b>: {escape(str(v))}" for c, v in zip(s.columns, row, strict=True)
                     if v not in (None, "", [])]
            story.append(Paragraph("; ".join(parts), small))
            story.append(Spacer(1, 2 * mm))
    doc.build(story)
    return out.getvalue()


def subject_access_zip(pack: Pack) -> bytes:
    out = io.BytesIO()
    stem = "subject-access"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{stem}.pdf", subject_access_pdf(pack))
        z.writestr(f"{stem}.json", pack_json(pack))
    return out.getvalue()
