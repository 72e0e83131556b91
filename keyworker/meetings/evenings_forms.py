"""Forms of the parents' evening pages: they only check what was typed; the services check the rules."""

import datetime as dt

from django import forms

from keyworker.core.dates import check_date

from . import evenings


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict | None = None):
        super().__init__(attrs, format="%H:%M")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict | None = None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class StaffField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.user.full_name


class EveningWindowForm(forms.Form):
    title = forms.CharField(max_length=150, initial="Parents' evening")
    place = forms.CharField(max_length=200, required=False, help_text="Where families go, e.g. the school hall")
    booking_opens_at = forms.DateTimeField(label="Booking opens", widget=DateTimeInput(), input_formats=DATETIME_FORMATS)
    booking_closes_at = forms.DateTimeField(label="Booking closes", widget=DateTimeInput(), input_formats=DATETIME_FORMATS,
                                            help_text="Before the evening starts. After that the office may still book for families.")
    staff = StaffField(queryset=None, widget=forms.CheckboxSelectMultiple, label="Who takes part",
                       help_text="Each gets their own slots. Ticked already: every key worker and class teacher.")

    def __init__(self, *args, setting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = evenings.staff_of_setting(setting)


class EveningForm(EveningWindowForm):
    field_order = ["title", "day", "starts", "ends", "slot_minutes", "break_starts", "break_ends", "place",
                   "booking_opens_at", "booking_closes_at", "staff"]
    day = forms.DateField(widget=DateInput())
    starts = forms.TimeField(label="Starts at", widget=TimeInput())
    ends = forms.TimeField(label="Ends at", widget=TimeInput())
    slot_minutes = forms.IntegerField(label="Slot length (minutes)", min_value=evenings.SLOT_MINUTES_MIN,
                                      max_value=evenings.SLOT_MINUTES_MAX, initial=10)
    break_starts = forms.TimeField(label="Break starts", widget=TimeInput(), required=False)
    break_ends = forms.TimeField(label="Break ends", widget=TimeInput(), required=False)

    def __init__(self, *args, setting, today: dt.date, **kwargs):
        super().__init__(*args, setting=setting, **kwargs)
        self.today = today

    def clean_day(self):
        return check_date(self.cleaned_data["day"], today=self.today)


class CancelEveningForm(forms.Form):
    reason = forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Sent to every family who booked, with the news that it is cancelled.")


class ChildChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        group = f", {obj.group.name}" if obj.group_id else ""
        return f"{obj.display_name} ({obj.family.name}{group})"


class OfficeBookForm(forms.Form):
    """The office books a free slot for a child's family."""

    child = ChildChoiceField(queryset=None, label="Child")

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = children


class MoveForm(forms.Form):
    to_slot = forms.TypedChoiceField(label="New time", coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args, free, time_of, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_slot"].choices = [(s.pk, time_of(s)) for s in free]


class AttendanceForm(forms.Form):
    attended = forms.TypedChoiceField(choices=[("yes", "Came"), ("no", "Did not come")], coerce=lambda v: v == "yes")
