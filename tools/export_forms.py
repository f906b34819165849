"""Forms of the export screens: the mapping editor and the export run."""

from typing import cast

from django import forms

from orders.states import STAGE_SCREENS
from tools.exports.catalogue import CODE, LABEL, VALUE_CHOICES
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


# ---- the column picker -----------------------------------------------------------------------

MAX_COLUMNS = 200
COLUMN_PREFIX = "col"
COLUMN_FORMAT_CHOICES = [
    ("", "As stored"),
    (
        "Dates",
        [
            ("date", "Date only (2026-01-31)"),
            ("us", "US date (01/31/2026)"),
            ("eu", "European date (31/01/2026)"),
            ("iso", "ISO 8601 (2026-01-31T14:05:00)"),
        ],
    ),
    ("Money", [("thousands", "Thousands separated (1,234.50)")]),
]


def catalogue_choices(catalogue: list[tuple[str, str, bool]]) -> list:
    """The catalogue as grouped choices: order fields, then line fields."""
    return [
        ("Order fields", [(name, label) for name, label, is_line in catalogue if not is_line]),
        ("Line fields", [(name, label) for name, label, is_line in catalogue if is_line]),
    ]


class MappingSettingsForm(forms.Form):
    """The mapping's own settings; its columns come from the rows of the picker."""

    name = forms.CharField(max_length=100)
    format = forms.ChoiceField(choices=ExportMapping.Format.choices)
    granularity = forms.ChoiceField(choices=ExportMapping.Granularity.choices)
    is_default = forms.BooleanField(label="Default mapping", required=False)

    def data_as_typed(self) -> dict[str, object]:
        """The posted settings as initial values, unchecked (a picker button re-shows them)."""
        return {
            name: field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            for name, field in self.fields.items()
        }


class ExportColumnForm(forms.Form):
    """One column of the picker: a field of the catalogue, its header, format and values."""

    field = forms.ChoiceField(label="Field")
    header = forms.CharField(label="Header", required=False, max_length=200)
    format = forms.ChoiceField(label="Format", required=False, choices=COLUMN_FORMAT_CHOICES)
    values = forms.ChoiceField(label="Values", required=False, choices=VALUE_CHOICES)

    def __init__(self, *args, catalogue: list[tuple[str, str, bool]], **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["field"])
        field.choices = catalogue_choices(catalogue)


ExportColumnFormSet = forms.formset_factory(ExportColumnForm, extra=0, max_num=MAX_COLUMNS)


def columns_from_rows(data, prefix: str = COLUMN_PREFIX) -> list[dict[str, str]]:
    """The picker's rows as posted, in order, unchecked: the mapping service checks them."""
    try:
        count = int(data.get(f"{prefix}-TOTAL_FORMS", 0))
    except (TypeError, ValueError):
        count = 0
    rows = []
    for number in range(max(0, min(count, MAX_COLUMNS))):
        key = f"{prefix}-{number}-"
        if f"{key}field" not in data:
            continue
        rows.append(
            {
                "field": str(data.get(f"{key}field", "")).strip(),
                "header": str(data.get(f"{key}header", "")).strip(),
                "format": str(data.get(f"{key}format", "")).strip(),
                "values": str(data.get(f"{key}values", "")).strip() or CODE,
            }
        )
    return rows


def columns_rearrange(
    rows: list[dict[str, str]], action: str, *, add: dict[str, str] | None = None
) -> list[dict[str, str]]:
    """The rows after one of the picker's buttons: "add" (the `add` row at the end),
    "remove-N", "up-N" or "down-N" (N counted from 0). Anything else leaves them as they are."""
    rows = list(rows)
    if action == "add":
        return [*rows, add] if add is not None and len(rows) < MAX_COLUMNS else rows
    verb, _, number = action.partition("-")
    if not number.isdigit() or int(number) >= len(rows):
        return rows
    index = int(number)
    if verb == "remove":
        del rows[index]
    elif verb == "up" and index > 0:
        rows[index - 1], rows[index] = rows[index], rows[index - 1]
    elif verb == "down" and index < len(rows) - 1:
        rows[index + 1], rows[index] = rows[index], rows[index + 1]
    return rows


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
