"""Forms of the meetings pages: arrange an appointment, change or cancel it, answer for an invitee, record who came.
They only read input (times in the setting's time zone); the services hold the rules."""

import datetime as dt
import zoneinfo

from django import forms

from keyworker.core.conflicts import VersionField
from keyworker.people.models import Carer, Child, Family

from .models import Appointment, AppointmentKind, Rsvp
from .selectors import MINE, PAST, SETTING, UPCOMING
from .services import NOTES_MAX, PLACE_MAX, REASON_MAX, TITLE_MAX

PROFESSIONAL_ROWS = 2


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict | None = None):
        super().__init__(attrs=attrs, format="%H:%M")


def aware(day: dt.date | None, time: dt.time | None, time_zone: str) -> dt.datetime | None:
    """A day and a time typed in the setting's time zone, as an aware moment."""
    if day is None or time is None:
        return None
    return dt.datetime.combine(day, time, tzinfo=zoneinfo.ZoneInfo(time_zone))


class WhenWhereForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=AppointmentKind.choices,
                             error_messages={"required": "Choose what kind of appointment it is.",
                                             "invalid_choice": "Choose one of the kinds listed."})
    title = forms.CharField(label="Title", max_length=TITLE_MAX, help_text="Staff see it; carers' e-mails never show it.",
                            error_messages={"required": "Enter a title, for example “Settling-in review”.",
                                            "max_length": f"Keep the title to {TITLE_MAX} characters or fewer."})
    date = forms.DateField(label="Date", widget=DateInput(), input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                           error_messages={"required": "Enter the date, for example 8/12/2026.",
                                           "invalid": "Enter a real date, for example 8/12/2026."})
    start_time = forms.TimeField(label="Starts", widget=TimeInput(), input_formats=["%H:%M"],
                                 error_messages={"required": "Enter the time it starts, for example 15:30.",
                                                 "invalid": "Enter a time such as 15:30."})
    end_time = forms.TimeField(label="Ends", widget=TimeInput(), input_formats=["%H:%M"],
                               error_messages={"required": "Enter the time it ends, for example 16:15.",
                                               "invalid": "Enter a time such as 16:15."})
    place = forms.CharField(label="Place", required=False, max_length=PLACE_MAX,
                            help_text="A room or an address. Leave it empty for a video meeting.",
                            error_messages={"max_length": f"Keep the place to {PLACE_MAX} characters or fewer."})
    video_link = forms.CharField(label="Video link", required=False, max_length=200,
                                 help_text="For a video meeting: the full address, starting https://",
                                 error_messages={"max_length": "Keep the link to 200 characters or fewer."})

    # The services' names for what these fields hold.
    NAMES = {"starts_at": "start_time", "ends_at": "end_time"}

    def moments(self, time_zone: str) -> tuple[dt.datetime | None, dt.datetime | None]:
        d = self.cleaned_data
        return aware(d.get("date"), d.get("start_time"), time_zone), aware(d.get("date"), d.get("end_time"), time_zone)


class AppointmentForm(WhenWhereForm):
    setting = forms.TypedChoiceField(label="Setting", coerce=int,
                                     error_messages={"required": "Choose the setting.", "invalid_choice": "Choose one of the settings listed."})
    family = forms.TypedChoiceField(label="Family", coerce=int, required=False, empty_value=None,
                                    help_text="Leave it empty for a session open to many families.",
                                    error_messages={"invalid_choice": "Choose one of the families listed."})
    child = forms.TypedChoiceField(label="Child", coerce=int, required=False, empty_value=None,
                                   error_messages={"invalid_choice": "Choose one of this family's children."})
    carers = forms.TypedMultipleChoiceField(label="Carers", coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
                                            error_messages={"invalid_choice": "Choose carers of this family."})
    staff = forms.TypedMultipleChoiceField(label="Staff", coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
                                           error_messages={"invalid_choice": "Choose staff from the list."})

    field_order = ["kind", "title", "setting", "family", "child", "date", "start_time", "end_time", "place", "video_link",
                   "carers", "staff"]

    def __init__(self, *args, settings: list, families: list[Family], family: Family | None, children: list[Child],
                 carers: list[Carer], staff: list, staff_hints: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["setting"].choices = [(s.pk, s.name) for s in settings]
        if len(settings) == 1:
            self.fields["setting"].widget = forms.HiddenInput()
        self.fields["family"].choices = [("", "No family: a session for many families"), *[(f.pk, f.name) for f in families]]
        self.fields["child"].choices = [("", "The whole family"), *[(c.pk, c.display_name) for c in children]]
        self.fields["carers"].choices = [(c.pk, f"{c.full_name} ({c.get_relationship_display().lower()})") for c in carers
                                         if c.may_be_contacted]
        self.fields["staff"].choices = [(s.pk, f"{s.user.full_name}{' – ' + staff_hints[s.pk] if s.pk in staff_hints else ''}")
                                        for s in staff]
        for n in range(1, PROFESSIONAL_ROWS + 1):
            self.fields[f"professional_{n}_name"] = forms.CharField(label="Name", required=False, max_length=150)
            self.fields[f"professional_{n}_email"] = forms.EmailField(
                label="E-mail", required=False, error_messages={"invalid": "Enter a real e-mail address, for example name@example.org."})
            self.fields[f"professional_{n}_organisation"] = forms.CharField(label="Their organisation", required=False, max_length=150)

    def clean(self) -> dict:
        d = super().clean()
        for n in range(1, PROFESSIONAL_ROWS + 1):
            if not d.get(f"professional_{n}_name") and (d.get(f"professional_{n}_email") or d.get(f"professional_{n}_organisation")):
                self.add_error(f"professional_{n}_name", "Enter the professional's name.")
        if d.get("date") and d.get("start_time") and d.get("end_time") and d["end_time"] <= d["start_time"]:
            self.add_error("end_time", "The end must be after the start: check the times.")
        return d

    def professional_rows(self) -> list[tuple]:
        return [(n, self[f"professional_{n}_name"], self[f"professional_{n}_email"], self[f"professional_{n}_organisation"])
                for n in range(1, PROFESSIONAL_ROWS + 1)]


class ChangeForm(WhenWhereForm):
    version = VersionField()

    @classmethod
    def for_appointment(cls, appointment: Appointment, data=None) -> "ChangeForm":
        tz = zoneinfo.ZoneInfo(appointment.setting.time_zone)
        start, end = appointment.starts_at.astimezone(tz), appointment.ends_at.astimezone(tz)
        return cls(data, initial={
            "kind": appointment.kind, "title": appointment.title, "date": start.date(), "start_time": start.time(),
            "end_time": end.time(), "place": appointment.place, "video_link": appointment.video_link,
            "version": appointment.version,
        })


class CancelForm(forms.Form):
    reason = forms.CharField(label="Why is it cancelled?", max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="For staff. Carers are told it is cancelled, with its time and place.",
                             error_messages={"required": "Enter why it is cancelled.",
                                             "max_length": f"Keep the reason to {REASON_MAX} characters or fewer."})
    version = VersionField()


ANSWERS = [(Rsvp.YES.value, "Coming"), (Rsvp.NO.value, "Not coming"), (Rsvp.MAYBE.value, "Maybe")]


class RsvpForm(forms.Form):
    rsvp = forms.ChoiceField(label="Their answer", choices=ANSWERS, widget=forms.RadioSelect,
                             error_messages={"required": "Choose coming, not coming or maybe.",
                                             "invalid_choice": "Choose coming, not coming or maybe."})


THERE, NOT_THERE, NOT_KNOWN = "yes", "no", ""


class AttendanceForm(forms.Form):
    notes = forms.CharField(label="What was discussed and agreed (staff only)", required=False, max_length=NOTES_MAX,
                            widget=forms.Textarea(attrs={"rows": 5}),
                            error_messages={"max_length": f"Keep the notes to {NOTES_MAX} characters or fewer."})
    version = VersionField()

    def __init__(self, *args, invitees: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitee_fields = []
        for i in invitees:
            name = f"attended_{i.pk}"
            self.fields[name] = forms.ChoiceField(
                label=str(i), required=False, widget=forms.RadioSelect,
                choices=[(THERE, "There"), (NOT_THERE, "Not there"), (NOT_KNOWN, "Not known")],
                initial=THERE if i.attended else NOT_THERE if i.attended is False else NOT_KNOWN,
                error_messages={"invalid_choice": "Choose there, not there or not known."})
            self.invitee_fields.append((i, name))

    def attendance(self) -> dict[int, bool | None]:
        answer = {THERE: True, NOT_THERE: False}
        return {i.pk: answer.get(self.cleaned_data.get(name) or NOT_KNOWN) for i, name in self.invitee_fields}

    def rows(self):
        return [(i, self[name]) for i, name in self.invitee_fields]


class ListFilterForm(forms.Form):
    whose = forms.ChoiceField(label="Whose", required=False, choices=[(MINE, "Mine"), (SETTING, "All I can see")])
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "Any kind"), *AppointmentKind.choices])
    when = forms.ChoiceField(label="When", required=False, choices=[(UPCOMING, "Upcoming"), (PAST, "Past")])
