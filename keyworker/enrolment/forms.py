"""Forms of the enrolment pages: they only check input; the services decide."""

from django import forms

from .models import ABOUT, CONSENTS, TEXT_MAX
from .services import NOTE_MAX

YES_NO = [("yes", "Yes"), ("no", "No")]


class AskChangesForm(forms.Form):
    note = forms.CharField(label="What should the family change?", max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class EnrolmentAnswersForm(forms.Form):
    """The carer's answers. Every question is needed before sending (the service says which are missing), but a
    draft may leave any for later."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label, hint in ABOUT:
            self.fields[name] = forms.CharField(label=label, help_text=hint, required=True, max_length=TEXT_MAX,
                                                widget=forms.Textarea(attrs={"rows": 3}))
        for name, label, hint in CONSENTS:
            self.fields[name] = forms.ChoiceField(label=label, help_text=hint, required=True, choices=YES_NO,
                                                  widget=forms.RadioSelect)

    def full_clean(self):
        # Validate with every field optional (a draft may leave any for later; the service says what sending needs),
        # while the page shows every question as needed, without "(optional)".
        for field in self.fields.values():
            field.required = False
        try:
            super().full_clean()
        finally:
            for field in self.fields.values():
                field.required = True

    @staticmethod
    def initial_from(form) -> dict:
        if form is None:
            return {}
        data = {name: getattr(form, name) for name, _, _ in ABOUT}
        for name, _, _ in CONSENTS:
            value = getattr(form, name)
            data[name] = "" if value is None else ("yes" if value else "no")
        return data
