"""Forms for policies and standards. They read input in plain words; the rules live in validation and services."""

from typing import Any

from django import forms

from keyworker.accounts.models import Role
from keyworker.core.conflicts import VersionField
from keyworker.core.dates import in_table, on_screen
from keyworker.organisations.models import SettingKind

from . import catalogue
from .changes import EVENT_WORDS, event_label
from .evidence import evidence_source, registered, registered_events
from .models import Cadence, Responsible, Standard, Subject
from .rules import ChangeDates


def effective_from_field(dates: ChangeDates) -> forms.DateField:
    """When a change to a standard takes effect: the start of the next period by default."""
    return forms.DateField(
        label="Takes effect from", widget=DateInput(), initial=dates.default,
        help_text=(f"Periods that start on or after this date follow the change; earlier periods keep the rule they "
                   f"were computed under. Suggested: the start of {dates.period_words} "
                   f"({on_screen(dates.default)}); the earliest is {on_screen(dates.earliest)}."),
        error_messages={
            "required": f"Say when the change takes effect, e.g. {in_table(dates.default)}.",
            "invalid": "Give the date the change takes effect as a date, e.g. "
                       f"{in_table(dates.default)}.",
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


WAITING_WORDS = " (waiting for its records: not yet recorded in Keyworker)"

# The choices of "How often": the number beside it says how many weeks, months or days.
CADENCE_CHOICES = [
    (Cadence.WEEKLY_TERM_TIME, "Every school week (or every few school weeks), in term time"),
    (Cadence.HALF_TERMLY, "Every half term"),
    (Cadence.TERMLY, "Every term"),
    (Cadence.EVERY_N_MONTHS, "Every month (or every few months)"),
    (Cadence.AFTER_ENROLMENT, "Within a number of days of enrolment"),
    (Cadence.BEFORE_EVENT, "A number of days before each event"),
    (Cadence.AFTER_EVENT, "Within a number of days after each event"),
]


def evidence_choices(current: str = "") -> list[tuple[str, str]]:
    live = registered()
    codes = list(dict.fromkeys([*catalogue.EVIDENCE_LABELS, *live, *([current] if current else [])]))
    return [
        (c, catalogue.evidence_label(c) + ("" if c in live else WAITING_WORDS))
        for c in codes
    ]


def event_choices(current: str = "") -> list[tuple[str, str]]:
    """The events a standard can count from, in words; those whose records are still to come say so."""
    live = registered_events()
    codes = list(dict.fromkeys([*live, *EVENT_WORDS, *([current] if current else [])]))
    choices = [(c, event_label(c).capitalize() + ("" if c in live else WAITING_WORDS)) for c in codes]
    return [("", "None: not counted from an event"), *sorted(choices, key=lambda c: c[1])]


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
    cadence = forms.ChoiceField(label="How often", choices=CADENCE_CHOICES)
    cadence_n = forms.IntegerField(
        label="How many weeks, months or days",
        help_text="With “every school week”: 1 for every week, 2 for every other week. With months or days: how many. "
                  "“Every half term” and “every term” take 1.",
        error_messages={"required": "Give a number, e.g. 1.", "invalid": "Give a whole number, e.g. 2."})
    event = forms.ChoiceField(
        label="Counts from each", required=False,
        help_text="Only for “before each event” or “after each event”: what the days count from.",
        error_messages={"invalid_choice": "Choose an event from the list."})
    evidence = forms.ChoiceField(label="Met by", error_messages={"invalid_choice": "Choose a record from the list."})
    min_words = forms.IntegerField(
        label="Fewest words in the write-up", required=False, min_value=1, max_value=500,
        help_text="For contact logs: a contact counts only when its write-up has at least this many words. "
                  "Leave empty for any length.",
        error_messages={"min_value": "Give 1 word or more, or leave it empty for any length.",
                        "max_value": "Give at most 500 words.", "invalid": "Give a whole number of words, e.g. 5."})
    shared_only = forms.BooleanField(
        label="Only celebrations shared with the family count", required=False,
        help_text="For celebrations: one that was not shared with the family does not meet the standard.")
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
        self.fields["event"].choices = event_choices(standard.event)
        # Conditions on the record that this form does not show are kept as they are.
        self.other_conditions = {k: v for k, v in (standard.evidence_conditions or {}).items()
                                 if k not in ("min_words", "shared")}
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
            "min_words": (standard.evidence_conditions or {}).get("min_words"),
            "shared_only": (standard.evidence_conditions or {}).get("shared") in (True, "true", "yes", 1, "1"),
            "responsible": standard.responsible, "due_soon_days": standard.due_soon_days,
            "escalate_after_days": standard.escalate_after_days, "escalate_to_roles": standard.escalate_to_roles,
            "only_ehcp": "" if "has_ehcp" not in c else ("yes" if c["has_ehcp"] else "no"),
            "year_group": c.get("year_group", ""), "enrolled_within_days": c.get("enrolled_within_days"),
            "version": standard.version,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        source = evidence_source(data.get("evidence") or "")
        understood = source.conditions if source is not None else frozenset()
        if data.get("min_words") is not None and source is not None and "min_words" not in understood:
            self.add_error("min_words", f"“{source.label}” has no write-up to count words in: leave this empty.")
        if data.get("shared_only") and source is not None and "shared" not in understood:
            self.add_error("shared_only", f"“{source.label}” is not a celebration: leave this unticked.")
        return data

    def evidence_conditions(self) -> dict[str, Any]:
        d = self.cleaned_data
        out = dict(self.other_conditions)
        if d.get("min_words") is not None:
            out["min_words"] = d["min_words"]
        if d.get("shared_only"):
            out["shared"] = True
        return out

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
            "evidence_conditions": self.evidence_conditions(), "responsible": d["responsible"],
            "due_soon_days": d["due_soon_days"], "escalate_after_days": d.get("escalate_after_days"),
            "escalate_to_roles": list(d.get("escalate_to_roles") or []),
        }

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """Put each refusal next to its field (conditions sit by the fields that make them)."""
        for f, messages in errors.items():
            for m in messages:
                target = f
                if f == "conditions":
                    target = ("enrolled_within_days" if "enrolled" in m
                              else "year_group" if "year group" in m else "only_ehcp")
                elif f == "evidence_conditions":
                    target = "shared_only" if "shared" in m else "min_words"
                self.add_error(target if target in self.fields else None, m)
