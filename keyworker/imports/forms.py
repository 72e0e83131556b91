"""Forms for imports: the upload and the column mapping. They validate input; the services do the work."""

from django import forms

from keyworker.core.errors import RuleViolation
from keyworker.core.uploads import too_large_message, upload_limits
from keyworker.organisations.models import Setting

from .mapping import Target, column_label, targets_for
from .models import ImportJob, ImportKind
from .reading import check_extension

NOT_IN_FILE = ""


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="What does the file hold?", choices=ImportKind.choices, widget=forms.RadioSelect,
        initial=ImportKind.CHILDREN,
    )
    setting = forms.ModelChoiceField(label="Import into", queryset=Setting.objects.none(), empty_label=None)
    file = forms.FileField(
        label="File", help_text="A CSV file or an Excel workbook (.xlsx) exported from your MIS, with a heading on each column.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )

    hold_sign_in_emails = forms.BooleanField(
        label="Hold the sign-in e-mails until I invite everyone", required=False,
        help_text="For staff: new people get their e-mail to choose a password only when you choose "
                  "“Invite your staff” on the getting-started checklist. Otherwise it goes as soon as they are imported.",
    )

    def __init__(self, *args, settings: list[Setting], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text += f" Up to {upload_limits().max_mb} MB."
        self.fields["setting"].queryset = Setting.objects.filter(pk__in=[s.pk for s in settings]).order_by("name")
        if len(settings) == 1:
            self.fields["setting"].initial = settings[0].pk

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_extension(upload.name)
        except RuleViolation as exc:
            raise forms.ValidationError(exc.message) from exc
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.")
        limits = upload_limits()
        if upload.size > limits.max_bytes:
            raise forms.ValidationError(too_large_message(limits))
        return upload


class MappingForm(forms.Form):
    """One choice per target field: which column of the file holds it."""

    def __init__(self, *args, job: ImportJob, **kwargs):
        super().__init__(*args, **kwargs)
        self.job = job
        headers = job.headers
        samples = job.samples or []
        choices = [(NOT_IN_FILE, "— Not in the file —")]
        for i in range(len(headers)):
            example = next((row[i] for row in samples if i < len(row) and row[i]), "")
            label = column_label(headers, i)
            if example:
                label += f" (e.g. {example[:30]})"
            choices.append((str(i), label))
        self.targets: list[Target] = targets_for(job.kind)
        for t in self.targets:
            current = job.mapping.get(t.key)
            self.fields[t.key] = forms.ChoiceField(
                label=t.label, choices=choices, required=t.required, help_text=t.hint,
                initial=str(current) if current is not None else NOT_IN_FILE,
                error_messages={
                    "required": f"Choose the column that holds the {t.label.lower()}.",
                    "invalid_choice": "Choose one of the file's columns.",
                },
            )
            self.fields[t.key].section = t.section

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        out: list[tuple[str, list[forms.BoundField]]] = []
        for t in self.targets:
            if not out or out[-1][0] != t.section:
                out.append((t.section, []))
            out[-1][1].append(self[t.key])
        return out

    def mapping(self) -> dict[str, int]:
        return {key: int(value) for key, value in self.cleaned_data.items() if value not in (None, NOT_IN_FILE)}


class SavedMappingForm(forms.Form):
    name = forms.CharField(label="Name", max_length=60, help_text="How the command line and the worker find it, e.g. "
                           "“Nightly SIMS export”.")
    max_leaver_share = forms.IntegerField(
        label="Stop when more than this share of the roll would leave (%)", min_value=1, max_value=100, initial=10,
        help_text="A run that would mark more of the roll as leavers writes nothing and asks a person: usually the "
                  "export was partial. From 1 to 100.")
