"""Forms of the export screens: the mapping editor and the export run."""

from django import forms

from orders.states import STAGE_SCREENS
from tools.exports.catalogue import CODE, LABEL
from tools.models import ExportMapping

COLUMNS_HELP = (
    "One column per line, in output order: field | header text | format. "
    "Formats: dates date, us, eu, iso; money thousands; stage, source, payment method and "
    "status, card brand: label (codes are the default). Header and format may be left out."
)


class ExportMappingForm(forms.Form):
    name = forms.CharField(max_length=100)
    format = forms.ChoiceField(choices=ExportMapping.Format.choices)
    granularity = forms.ChoiceField(choices=ExportMapping.Granularity.choices)
    is_default = forms.BooleanField(label="Default mapping", required=False)
    columns = forms.CharField(
        help_text=COLUMNS_HELP,
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false", "class": "mono"}),
    )

    @staticmethod
    def columns_text(columns: list[dict]) -> str:
        lines = []
        for column in columns:
            parts = [column["field"], column.get("header", "")]
            if column.get("format"):
                parts.append(column["format"])
            elif column.get("values") == LABEL:
                parts.append(LABEL)
            lines.append(" | ".join(parts))
        return "\n".join(lines)

    def clean_columns(self) -> list[dict[str, str]]:
        columns = []
        for line in self.cleaned_data["columns"].splitlines():
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            parts += [""] * (3 - len(parts))
            column = {"field": parts[0], "header": parts[1], "format": parts[2]}
            if parts[2] in (CODE, LABEL):
                # On a coded field the format slot chooses codes or labels.
                column.update(format="", values=parts[2])
            columns.append(column)
        if not columns:
            raise forms.ValidationError("Choose at least one column.")
        return columns


FORMAT_CHOICES = [("", "The mapping's format"), *ExportMapping.Format.choices]


class MappingChoiceField(forms.ModelChoiceField):
    """One of the merchant's export mappings, its default chosen until another is."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Mapping")
        kwargs.setdefault(
            "error_messages",
            {
                "required": "Choose an export mapping.",
                "invalid_choice": "Choose one of your export mappings.",
            },
        )
        super().__init__(queryset=ExportMapping.objects.none(), empty_label=None, **kwargs)

    def mappings_set(self, mappings) -> None:
        self.queryset = mappings
        default = next((m for m in mappings if m.is_default), None)
        if default is not None:
            self.initial = default.pk


class ExportRunForm(forms.Form):
    mapping = MappingChoiceField()
    stage = forms.ChoiceField(required=False)
    format = forms.ChoiceField(required=False, choices=FORMAT_CHOICES)
    placed_from = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Placed from"
    )
    placed_to = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Placed to"
    )

    def __init__(self, *args, mappings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mapping"].mappings_set(mappings)
        self.fields["stage"].choices = [("", "All stages")] + [
            (screen.slug, screen.label) for screen in STAGE_SCREENS
        ]


class CostFileForm(forms.Form):
    file = forms.FileField(
        label="Cost file",
        help_text=".xlsx (first sheet) or .csv in UTF-8",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
