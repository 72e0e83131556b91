"""A whole organisation in one archive, and back into an empty installation with nothing lost.

The archive is a ZIP: `manifest.json` (the organisation, when, the row count of each model), one JSON file per
model in Django's own serialisation (`data/<app>.<model>.json`), and the files the records point at
(`files/<name>`). What belongs to the organisation is found through the data model, so a new app's records are in
it the day they exist: every model with an `organisation` (or `organisation_id`) field, filtered by it, and the
sign-in accounts of its staff and carers with what hangs on them (second factors, API tokens). Django's `loaddata`
puts it back: in one transaction, foreign keys checked at the end, sequences reset.

Not in it: sessions, sign-in lockout records and other installations' rows.
"""

import datetime as dt
import io
import json
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import models, transaction

from keyworker.core.errors import RuleViolation

from .models import Organisation

FORMAT_VERSION = 1
SKIPPED_APPS = {"sessions", "axes", "admin", "contenttypes", "auth"}
MAX_MEMBER_BYTES = 2 * 1024 * 1024 * 1024
# Prepared downloads (an earlier archive among them) are copies of what the archive holds, removed within a day.
SKIPPED_MODELS = {"core.exportjob"}


def _org_filter(model) -> dict | None:
    names = {f.name: f for f in model._meta.concrete_fields}
    if "organisation" in names and names["organisation"].is_relation:
        return {"organisation_id": None}
    if "organisation_id" in names:
        return {"organisation_id": None}
    return None


def _user_models():
    """Models that hang on a user account only (second factors, API tokens, carers' portal sign-ins)."""
    user_model = get_user_model()
    found = []
    for model in apps.get_models():
        if model._meta.app_label in SKIPPED_APPS or model is user_model or _org_filter(model) is not None:
            continue
        fks = [f for f in model._meta.concrete_fields if f.is_relation and f.related_model is user_model]
        if fks and model._meta.concrete_fields:
            found.append((model, fks[0]))
    return found


def _querysets(organisation) -> list[tuple[type[models.Model], models.QuerySet]]:
    user_model = get_user_model()
    out: list = [(Organisation, Organisation.objects.filter(pk=organisation.pk))]
    user_ids: set[int] = set()
    for model in apps.get_models():
        if (model._meta.app_label in SKIPPED_APPS or model is Organisation or model._meta.proxy
                or model._meta.label_lower in SKIPPED_MODELS):
            continue
        if _org_filter(model) is None:
            continue
        qs = model._default_manager.filter(organisation_id=organisation.pk).order_by("pk")
        out.append((model, qs))
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model is user_model:
                user_ids.update(v for v in qs.values_list(f.attname, flat=True) if v is not None)
    out.insert(1, (user_model, user_model.objects.filter(pk__in=user_ids).order_by("pk")))
    hanging = []
    for model, fk in _user_models():
        qs = model._default_manager.filter(**{f"{fk.attname}__in": user_ids}).order_by("pk")
        out.append((model, qs))
        hanging.append((model, qs))
    # One level further: what hangs on those (a second factor's recovery codes on their device).
    included = {m for m, _ in out}
    for model in apps.get_models():
        if model in included or model._meta.app_label in SKIPPED_APPS:
            continue
        for parent, parent_qs in hanging:
            fks = [f for f in model._meta.concrete_fields if f.is_relation and f.related_model is parent]
            if fks:
                out.append((model, model._default_manager.filter(**{f"{fks[0].name}__in": parent_qs}).order_by("pk")))
                break
    return out


def _files_of(qs, model) -> list[str]:
    fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
    names = []
    for f in fields:
        names += [n for n in qs.values_list(f.attname, flat=True) if n]
    return names


def organisation_export(organisation, *, now: dt.datetime,
                        progress: Callable[[int, int], None] | None = None) -> bytes:
    """The organisation's archive (bytes of a ZIP); `progress(kinds done, kinds in all)` after each kind of record."""
    out = io.BytesIO()
    counts: dict[str, int] = {}
    querysets = _querysets(organisation)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for done, (model, qs) in enumerate(querysets, start=1):
            label = model._meta.label_lower
            rows = list(qs)
            counts[label] = len(rows)
            if rows:
                z.writestr(f"data/{label}.json", serializers.serialize(
                    "json", rows, use_natural_foreign_keys=True, use_natural_primary_keys=False))
            for name in _files_of(qs, model):
                if default_storage.exists(name):
                    with default_storage.open(name, "rb") as fh:
                        z.writestr(f"files/{name}", fh.read())
            if progress is not None:
                progress(done, len(querysets))
        z.writestr("manifest.json", json.dumps({
            "format": FORMAT_VERSION, "organisation": {"id": organisation.pk, "slug": organisation.slug, "name": organisation.name},
            "exported_at": now.isoformat(), "counts": counts,
        }, indent=2))
    return out.getvalue()


def _safe_member(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts:
        raise RuleViolation(f"The archive holds a path outside its folders ({name}): it was not made by Keyworker.",
                            rule="archive")
    return str(path)


def organisation_import(data: bytes) -> dict[str, int]:
    """Load an archive into an installation that holds none of its organisation's rows; the counts loaded."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        manifest = json.loads(z.read("manifest.json"))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise RuleViolation("This is not an organisation archive made by Keyworker (no readable manifest).",
                            rule="archive") from exc
    if manifest.get("format") != FORMAT_VERSION:
        raise RuleViolation(f"This archive's format ({manifest.get('format')}) is not one this version reads.", rule="archive")
    org = manifest["organisation"]
    if Organisation.objects.filter(models.Q(pk=org["id"]) | models.Q(slug=org["slug"])).exists():
        raise RuleViolation(f"This installation already has the organisation “{org['slug']}” (or its number): an archive "
                            "goes into an installation that does not hold it.", rule="exists")
    members = [m for m in z.infolist() if not m.is_dir()]
    for m in members:
        _safe_member(m.filename)
    if sum(m.file_size for m in members) > MAX_MEMBER_BYTES:
        raise RuleViolation("The archive unpacks to more than 2 GB.", rule="archive")
    data_files = [m for m in members if m.filename.startswith("data/") and m.filename.endswith(".json")]
    if not data_files:
        raise RuleViolation("The archive holds no records.", rule="archive")
    user_label = get_user_model()._meta.label_lower
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for m in data_files:
            target = Path(tmp) / Path(_safe_member(m.filename)).name
            target.write_bytes(z.read(m))
            paths.append(target)
        # People first (a user may already sign in here, e.g. a carer of another organisation: refused above by
        # their primary key when it clashes).
        paths.sort(key=lambda p: (p.stem != user_label, p.name))
        with transaction.atomic():
            call_command("loaddata", *[str(p) for p in paths], verbosity=0)
            for m in members:
                if m.filename.startswith("files/"):
                    name = _safe_member(m.filename.removeprefix("files/"))
                    if not default_storage.exists(name):
                        default_storage.save(name, ContentFile(z.read(m)))
    counts = Counter()
    for label, n in manifest["counts"].items():
        counts[label] = n
    return dict(counts)
