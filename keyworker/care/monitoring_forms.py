"""Forms of the manager's monitoring: the filters of the monitoring view, starting a sample, scoring a record."""

from django import forms

from .models_monitoring import Score
from .monitoring_selectors import RANDOM_SAMPLE_MAX, RANDOM_SAMPLE_SIZE
from .monitoring_services import COMMENT_MAX


class FiltersForm(forms.Form):
    out_of_date = forms.BooleanField(required=False, label="Out of date only")
    key_person = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Key person")

    def __init__(self, *args, key_people=(), key_worker_label: str = "Key person", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key_person"].label = key_worker_label[:1].upper() + key_worker_label[1:]
        self.fields["key_person"].choices = [("", "Everyone")] + [(s.pk, s.user.full_name) for s in key_people]


class RandomSampleForm(forms.Form):
    size = forms.IntegerField(min_value=1, max_value=RANDOM_SAMPLE_MAX, initial=RANDOM_SAMPLE_SIZE,
                              label="How many records", widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


class ScoreForm(forms.Form):
    """A radio group per criterion of the sample's rubric, and a comment."""

    comment = forms.CharField(required=False, max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="Needed when a criterion needs work or is missing: say what to improve.")

    def __init__(self, *args, criteria=(), item=None, **kwargs):
        if item is not None:
            kwargs.setdefault("prefix", f"item-{item.pk}")
            kwargs.setdefault("initial", {**item.scores, "comment": item.comment})
        super().__init__(*args, **kwargs)
        self.item = item
        for code, label in criteria:
            self.fields[code] = forms.ChoiceField(label=label, choices=Score.choices, widget=forms.RadioSelect,
                                                  error_messages={"required": f"Choose a score for “{label}”."})
        self.order_fields([code for code, _ in criteria] + ["comment"])
        self.criteria = list(criteria)

    def scores(self) -> dict[str, str]:
        return {code: self.cleaned_data[code] for code, _ in self.criteria}

    def criterion_fields(self):
        return [self[code] for code, _ in self.criteria]
