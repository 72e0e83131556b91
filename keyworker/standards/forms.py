"""Forms for policies and standards. They read input in plain words; the rules live in validation and services."""

from typing import Any

from django import forms

from keyworker.accounts.models import Role
from keyworker.core.conflicts import VersionField
from keyworker.organisations.models import SettingKind

from . import catalogue
from .evidence import registered
from .models import Cadence, Responsible, Standard, Subject
from .rules import ChangeDates


def effective_from_field(dates: ChangeDates) -> forms.DateField:
    """When a change to a standard takes effect: the start of the next period by default."""
    return forms.DateField(
        label="Takes effect from", widget=DateInput(), initial=dates.default,
        help_text=(f"Periods that start on or after this date follow the change; earlier periods keep the rule they "
                   f"were computed under. Suggested: the start of {dates.period_words} "
                   f"({dates.default:%A %-d %B %Y}); the earliest is {dates.earliest:%A %-d %B %Y}."),
        error_messages={
            "required": f"Say when the change takes effect, e.g. {dates.default:%d/%m/%Y}.",
            "invalid": "Give the date the change takes effect as a date, e.g. "
                       f"{dates.default:%d/%m/%Y}.",
        },
    )


class SwitchForm(forms.Form):
    """Switch a standard on or off, from a date."""

    enabled = forms.ChoiceField(choices=[("on", "On"), ("off", "Off")])

    def __init__(self, *args: Any, dates: ChangeDates, **kwargs: Any):
        kwargs.setdefault("auto_id", "switch_%s")  # the standard's page also holds the edit form's date
        super().__init__(*args, **kwargs)
        self.fields["effective_from"] = effective_from_field(dates)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any):
        super().__init__(format="%Y-%m-%d", **kwargs)


class AdoptForm(forms.Form):
    template_code = forms.ChoiceField(label="Built-in template", widget=forms.RadioSelect)
    effective_from = forms.DateField(label="Takes effect on", widget=DateInput())
    review_on = forms.DateField(label="Review date", widget=DateInput(), help_text="The responsible officer is reminded before it.")

    def __init__(self, *args: Any, available: list[catalogue.PolicyTemplate], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["template_code"].choices = [(t.code, f"{t.title} – {t.summary}") for t in available]


class VersionForm(forms.Form):
    effective_from = forms.DateField(label="Takes effect on", widget=DateInput())
    review_on = forms.DateField(label="Review date", widget=DateInput())
    comment = forms.CharField(label="What changed", max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="Kept in the version history, e.g. Weekly contact became every two weeks.")


EHCP_CHOICES = [("", "Every child"), ("yes", "Only children with an EHCP"), ("no", "Only children without an EHCP")]


def evidence_choices(current: str = "") -> list[tuple[str, str]]:
    live = registered()
    codes = list(dict.fromkeys([*catalogue.EVIDENCE_LABELS, *live, *([current] if current else [])]))
    return [
        (c, catalogue.evidence_label(c) + ("" if c in live else " (waiting for its records)"))
        for c in codes
    ]


def parse_pairs(text: str) -> dict[str, Any]:
    """"min_words = 5" lines into {"min_words": 5}; raises ValueError with the line that could not be read."""
    out: dict[str, Any] = {}
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        key, sep, value = (p.strip() for p in line.partition("="))
        if not sep or not key or not value:
            raise ValueError(line)
        if value.lower() in ("yes", "true"):
            out[key] = True
        elif value.lower() in ("no", "false"):
            out[key] = False
        elif value.lstrip("-").isdigit():
            out[key] = int(value)
        else:
            out[key] = value
    return out


def format_pairs(pairs: dict[str, Any]) -> str:
    return "\n".join(f"{k} = {'yes' if v is True else 'no' if v is False else v}" for k, v in pairs.items())


class StandardForm(forms.Form):
    title = forms.CharField(label="Title", max_length=150)
    description = forms.CharField(label="What the policy says", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    enabled = forms.BooleanField(label="On: this standard produces obligations", required=False)
    setting_kinds = forms.MultipleChoiceField(
        label="Kinds of setting", choices=SettingKind.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Choose none for every kind of setting.")
    subject = forms.ChoiceField(label="Applies to", choices=Subject.choices, widget=forms.RadioSelect)
    only_ehcp = forms.ChoiceField(label="Which children", choices=EHCP_CHOICES, required=False)
    year_group = forms.CharField(label="Only this year group", max_length=20, required=False, help_text="e.g. Year 6")
    enrolled_within_days = forms.IntegerField(label="Only children enrolled in the last … days", required=False)
    cadence = forms.ChoiceField(label="How often", choices=Cadence.choices)
    cadence_n = forms.IntegerField(label="N (weeks, months or days)", help_text="e.g. 2 for every two school weeks.")
    event = forms.CharField(
        label="Counts from each", max_length=40, required=False,
        help_text="For “before” or “after each event”: e.g. appointment, key_aspects_changed, transition_visit.")
    evidence = forms.ChoiceField(label="Met by")
    evidence_conditions = forms.CharField(
        label="Conditions on the record", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line, e.g. min_words = 5")
    responsible = forms.ChoiceField(label="Who is responsible", choices=Responsible.choices, widget=forms.RadioSelect)
    due_soon_days = forms.IntegerField(label="Shown as due soon … days before it is due")
    escalate_after_days = forms.IntegerField(
        label="Escalates when overdue by more than … days", required=False, help_text="Leave empty to never escalate.")
    escalate_to_roles = forms.MultipleChoiceField(
        label="Who is told when it escalates", required=False, widget=forms.CheckboxSelectMultiple)
    version = VersionField()

    def __init__(self, *args: Any, standard: Standard, roles_held: set[str], dates: ChangeDates | None = None,
                 **kwargs: Any):
        if not args or args[0] is None:
            kwargs.setdefault("initial", self.initial_for(standard))
        super().__init__(*args, **kwargs)
        if dates is not None:
            self.fields["effective_from"] = effective_from_field(dates)
            self.initial.setdefault("effective_from", dates.default)
        self.fields["evidence"].choices = evidence_choices(standard.evidence)
        roles = Role.objects.filter(organisation_id=standard.organisation_id).order_by("name")
        self.fields["escalate_to_roles"].choices = [
            (r.code, r.name + ("" if r.code in roles_held else " (nobody holds this role)")) for r in roles
        ]

    @staticmethod
    def initial_for(standard: Standard) -> dict[str, Any]:
        c = standard.conditions or {}
        return {
            "title": standard.title, "description": standard.description, "enabled": standard.enabled,
            "setting_kinds": standard.setting_kinds, "subject": standard.subject, "cadence": standard.cadence,
            "cadence_n": standard.cadence_n, "evidence": standard.evidence, "event": standard.event,
            "evidence_conditions": format_pairs(standard.evidence_conditions or {}),
            "responsible": standard.responsible, "due_soon_days": standard.due_soon_days,
            "escalate_after_days": standard.escalate_after_days, "escalate_to_roles": standard.escalate_to_roles,
            "only_ehcp": "" if "has_ehcp" not in c else ("yes" if c["has_ehcp"] else "no"),
            "year_group": c.get("year_group", ""), "enrolled_within_days": c.get("enrolled_within_days"),
            "version": standard.version,
        }

    def clean_evidence_conditions(self) -> dict[str, Any]:
        try:
            return parse_pairs(self.cleaned_data.get("evidence_conditions", ""))
        except ValueError as exc:
            raise forms.ValidationError(f"Write each condition as “name = value”; this line could not be read: {exc}") from exc

    def definition(self) -> dict[str, Any]:
        """The standard's fields from the cleaned input, for standard_update."""
        d = self.cleaned_data
        conditions: dict[str, Any] = {}
        if d.get("only_ehcp"):
            conditions["has_ehcp"] = d["only_ehcp"] == "yes"
        if (d.get("year_group") or "").strip():
            conditions["year_group"] = d["year_group"].strip()
        if d.get("enrolled_within_days") is not None:
            conditions["enrolled_within_days"] = d["enrolled_within_days"]
        return {
            "title": d["title"].strip(), "description": d.get("description", ""), "enabled": bool(d.get("enabled")),
            "setting_kinds": list(d.get("setting_kinds") or []), "conditions": conditions, "subject": d["subject"],
            "cadence": d["cadence"], "cadence_n": d["cadence_n"], "evidence": d["evidence"],
            "event": (d.get("event") or "").strip(),
            "evidence_conditions": d.get("evidence_conditions") or {}, "responsible": d["responsible"],
            "due_soon_days": d["due_soon_days"], "escalate_after_days": d.get("escalate_after_days"),
            "escalate_to_roles": list(d.get("escalate_to_roles") or []),
        }

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """Put each refusal next to its field (conditions sit by the fields that make them)."""
        for f, messages in errors.items():
            for m in messages:
                target = f
                if f == "conditions":
                    target = ("enrolled_within_days" if "enrolled_within_days" in m
                              else "year_group" if "year group" in m else "only_ehcp")
                self.add_error(target if target in self.fields else None, m)
