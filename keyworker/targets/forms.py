"""Forms of the targets and homework pages: they only check input; the services decide."""

from django import forms

from keyworker.core.conflicts import VersionField

from .models import NOTE_MAX, TEXT_MAX, WHAT_MAX, ShareMethod, TargetStatus


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class TargetForm(forms.Form):
    what = forms.CharField(label="The target", max_length=WHAT_MAX,
                           help_text="What the child is working on, in words the child and family understand.")
    why = forms.CharField(label="Why this target", required=False, max_length=TEXT_MAX, widget=_area())
    how_we_know = forms.CharField(label="How we will know", required=False, max_length=TEXT_MAX, widget=_area(),
                                  help_text="What the child will be able to do when it is achieved.")
    help_at_home = forms.CharField(label="How you can help at home", required=False, max_length=TEXT_MAX, widget=_area(),
                                   help_text="Written for the family: they see it in the carers' portal.")
    review_on = forms.DateField(label="Review date", widget=DateInput(),
                                error_messages={"required": "Choose the day the target will be reviewed (each half term)."})


class TargetEditForm(TargetForm):
    version = VersionField()


class ReviewForm(forms.Form):
    progress = forms.CharField(label="Progress note", max_length=TEXT_MAX, widget=_area(4),
                               help_text="How it is going: what the child can do now, what comes next.")
    status = forms.ChoiceField(label="The target is now", choices=TargetStatus.choices, widget=forms.RadioSelect,
                               initial=TargetStatus.WORKING)
    next_review_on = forms.DateField(label="Next review date", required=False, widget=DateInput(),
                                     help_text="Needed while the child is still working on it.")


class ShareForm(forms.Form):
    method = forms.ChoiceField(label="How were they shared?", choices=ShareMethod.choices, widget=forms.RadioSelect,
                               initial=ShareMethod.PORTAL)
    note = forms.CharField(label="Note", required=False, max_length=300,
                           help_text="For example who you spoke with, or the meeting.")


class HomeworkForm(forms.Form):
    group = forms.TypedChoiceField(label="Class", coerce=int, choices=())
    child = forms.TypedChoiceField(label="For one child only", required=False, coerce=int, empty_value=None, choices=(),
                                   help_text="Leave empty to set it for the whole class.")
    title = forms.CharField(label="Title", max_length=WHAT_MAX)
    what_to_do = forms.CharField(label="What to do", max_length=TEXT_MAX, widget=_area(4))
    how_to_help = forms.CharField(label="How to help", required=False, max_length=TEXT_MAX, widget=_area(),
                                  help_text="For the family: how they can help without doing it for the child.")
    set_on = forms.DateField(label="Set on", widget=DateInput())
    due_on = forms.DateField(label="Due on", widget=DateInput(), error_messages={"required": "Choose the day it is due."})

    def __init__(self, *args, groups=(), children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [(g.pk, g.name) for g in groups]
        self.fields["child"].choices = [("", "The whole class")] + [
            (c.pk, f"{c.display_name} ({c.group.name})" if c.group_id else c.display_name) for c in children]


class FeedbackForm(forms.Form):
    feedback = forms.CharField(label="Feedback to the family", max_length=NOTE_MAX, widget=_area(2))


class HomeNoteForm(forms.Form):
    text = forms.CharField(label="How is it going at home?", max_length=NOTE_MAX, widget=_area(4),
                           help_text="What you have tried, what helps, any questions for the class team.")
    target = forms.TypedChoiceField(label="About", required=False, coerce=int, empty_value=None, choices=())

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", "All the targets")] + [(t.pk, t.what) for t in targets]
