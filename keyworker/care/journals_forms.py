"""Forms of the learning journal pages: they only check input; the services decide."""

from django import forms

from .journals_frameworks import SCHEMAS, Framework
from .models_journals import JOURNAL_NOTE_MAX, JOURNAL_TEXT_MAX


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos in one input; each is checked by the service (journals_photos), not by its name."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ObservationForm(forms.Form):
    children = forms.MultipleChoiceField(label="Children observed", widget=forms.CheckboxSelectMultiple,
                                         help_text="Choose several for a group observation.")
    observed_on = forms.DateField(label="Date observed", widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label="What you saw and heard", max_length=JOURNAL_TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 6}))
    interests = forms.CharField(label="Interests seen", required=False, max_length=700,
                                help_text="Separate them with commas, for example: trains, puddles, mark making.")
    schemas = forms.MultipleChoiceField(label="Schemas seen", required=False, choices=SCHEMAS,
                                        widget=forms.CheckboxSelectMultiple)
    areas = forms.MultipleChoiceField(label="Areas of learning", required=False, widget=forms.CheckboxSelectMultiple)
    wellbeing = forms.MultipleChoiceField(label="Wellbeing indicators", required=False, widget=forms.CheckboxSelectMultiple)
    shared_with_family = forms.BooleanField(label="Share with the family in the carers' portal", required=False,
                                            initial=True)
    photos = MultiplePhotoField(label="Photos", required=False,
                                help_text="JPEG, PNG or WebP. Only for children whose photo consent is recorded. "
                                          "Location and camera details are removed.")
    photo_description = forms.CharField(label="What the photos show", required=False, max_length=200,
                                        help_text="A short description for people who cannot see them.")
    next_step = forms.CharField(label="Next step", required=False, max_length=JOURNAL_NOTE_MAX,
                                widget=forms.Textarea(attrs={"rows": 2}),
                                help_text="What you will plan next from this observation (for each child observed).")
    follows_up = forms.MultipleChoiceField(label="This observation follows up", required=False,
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, framework: Framework, children=(), open_steps=(), editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["children"].choices = [(str(c.pk), c.display_name) for c in children]
        self.fields["areas"].choices = [(a.code, a.label) for a in framework.areas]
        self.fields["areas"].label = framework.label
        if framework.wellbeing:
            self.fields["wellbeing"].choices = [(a.code, a.label) for a in framework.wellbeing]
            self.fields["wellbeing"].label = framework.wellbeing_label
        else:
            del self.fields["wellbeing"]
        if open_steps:
            self.fields["follows_up"].choices = [(str(s.pk), f"{s.child.display_name}: {s.text}") for s in open_steps]
        else:
            del self.fields["follows_up"]
        if editing:
            for name in ("children", "photos", "photo_description", "next_step", "follows_up"):
                self.fields.pop(name, None)

    def areas_chosen(self) -> list[str]:
        return list(self.cleaned_data.get("areas") or []) + list(self.cleaned_data.get("wellbeing") or [])


class HideForm(forms.Form):
    reason = forms.CharField(label="Why hide it?", max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Hidden observations are kept, with this reason; families no longer see them.")


class NextStepForm(forms.Form):
    child = forms.ChoiceField(label="Child")
    text = forms.CharField(label="Next step", max_length=JOURNAL_NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].choices = [(str(c.pk), c.display_name) for c in children]


class DeclineForm(forms.Form):
    note = forms.CharField(label="Why not add it?", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class CommentForm(forms.Form):
    text = forms.CharField(label="Your comment", max_length=JOURNAL_NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class WowMomentForm(forms.Form):
    text = forms.CharField(label="What happened?", max_length=JOURNAL_NOTE_MAX, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="Something your child did or said at home that made you proud.")
    happened_on = forms.DateField(label="When", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    photo = forms.FileField(label="A photo", required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
                            help_text="JPEG, PNG or WebP. Location and camera details are removed.")
