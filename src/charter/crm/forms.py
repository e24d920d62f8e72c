"""Forms of the CRM import side: upload, mapping with stage map and date format, owners, rates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from charter.core.imports.base import Importer
from charter.core.imports.forms import MappingForm, UploadForm
from charter.core.imports.runner import get_importer
from charter.core.models import ImportProfile
from charter.crm.importers.base import CRM_KINDS
from charter.crm.presets import PRESETS
from charter.org.models import OwnerAlias, Person

KIND_CHOICES = [(k, get_importer(k).label.capitalize()) for k in (*CRM_KINDS, "rates")]
PRESET_CHOICES = [
    ("", "None: match columns by their names"),
    *((p.name, p.label) for p in PRESETS.values()),
]

STAGE_MAP_HELP = (
    'Deals: one per line, raw stage=open, won or lost, e.g. "Negotiation=open". Presets '
    "already know their CRM's standard stages."
)
DATE_FORMAT_HELP = "Only when dates are ambiguous, e.g. %d/%m/%Y (31/01/2024) or %m/%d/%Y."


def _settings_fields(form: forms.Form, importer: type[Importer[Any]] | None) -> None:
    accepts = importer.valued_options if importer else ("stage_map", "date_format", "source")
    if "stage_map" in accepts:
        form.fields["stage_map"] = forms.CharField(
            label="Stage map",
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=STAGE_MAP_HELP,
        )
    if "date_format" in accepts:
        form.fields["date_format"] = forms.CharField(
            label="Date format", required=False, max_length=40, help_text=DATE_FORMAT_HELP
        )
    if "source" in accepts:
        form.fields["source"] = forms.CharField(
            label="Source",
            required=False,
            max_length=40,
            help_text="The system the rows come from; the preset's name or 'file' by default.",
        )


def _clean_settings(
    form: forms.Form, importer: type[Importer[Any]], extra: dict[str, Any]
) -> dict[str, Any]:
    given: dict[str, Any] = {
        name: form.cleaned_data.get(name) or ""
        for name in ("stage_map", "date_format", "source")
        if name in form.fields and name in importer.valued_options
    }
    given.update({k: v for k, v in extra.items() if k in importer.valued_options})
    try:
        return importer.clean_settings(given)
    except ValueError as exc:
        raise ValidationError(str(exc)[0].upper() + str(exc)[1:] + ".") from exc


def stage_map_text(table: dict[str, str] | None) -> str:
    return "\n".join(f"{k}={v}" for k, v in (table or {}).items())


class CrmUploadForm(UploadForm):
    """The upload form of people imports, plus what kind of CRM file it is and how to read it."""

    kind = forms.ChoiceField(label="The file contains", choices=KIND_CHOICES)
    preset = forms.ChoiceField(
        label="Export from",
        choices=PRESET_CHOICES,
        required=False,
        help_text="Deals only: reads that CRM's column names and standard stages.",
    )

    def __init__(self, *args: Any, profiles: QuerySet[ImportProfile], **kwargs: Any) -> None:
        super().__init__(*args, importer=get_importer("deals"), profiles=profiles, **kwargs)
        self.fields["profile"].label_from_instance = (  # type: ignore[attr-defined]
            lambda p: f"{p.name} ({p.kind})"
        )
        _settings_fields(self, None)
        self.order_fields(
            [
                "kind",
                "file",
                "preset",
                "profile",
                "stage_map",
                "date_format",
                "source",
                "sheet",
                "skip_invalid",
            ]
        )
        self.settings: dict[str, Any] = {}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if not kind:
            return data
        importer = get_importer(kind)
        profile: ImportProfile | None = data.get("profile")
        if profile is not None and profile.kind != kind:
            self.add_error("profile", f"That mapping is for {profile.kind}, not {kind}.")
            return data
        if data.get("preset") and "preset" not in importer.valued_options:
            self.add_error("preset", f"Presets are for deals files, not {importer.label}.")
            return data
        saved = dict(profile.options) if profile is not None else {}
        if data.get("preset"):
            saved["preset"] = data["preset"]
        if "stage_map" in saved and not data.get("stage_map"):
            data["stage_map"] = saved.pop("stage_map")
        try:
            self.settings = _clean_settings(self, importer, saved)
        except ValidationError as exc:
            self.add_error(None, exc)
        return data

    def options(self) -> dict[str, Any]:
        chosen = {**self.settings}
        if self.cleaned_data.get("sheet"):
            chosen["sheet"] = self.cleaned_data["sheet"].strip()
        return chosen


class CrmMappingForm(MappingForm):
    """The people mapping form, plus the stage map and date format, editable until confirmed."""

    def __init__(
        self, *args: Any, importer: type[Importer[Any]], header: tuple[str, ...], **kwargs: Any
    ) -> None:
        super().__init__(*args, importer=importer, header=header, **kwargs)
        self.setting_names = [
            n for n in ("stage_map", "date_format") if n in importer.valued_options
        ]
        _settings_fields(self, importer)
        # The source is fixed at upload: changing it would make a different set of records.
        self.fields.pop("source", None)

    def setting_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.setting_names]

    def chosen_options(self, pending: dict[str, Any]) -> dict[str, Any]:
        """The valued options after this form: the upload's preset and source are kept."""
        kept: dict[str, Any] = {k: pending[k] for k in ("preset", "source") if k in pending}
        return _clean_settings(self, self.importer, kept)

    def profile_options(self, options: dict[str, Any]) -> dict[str, Any]:
        # The source names where one file came from, not how to read the next one.
        return {k: v for k, v in super().profile_options(options).items() if k != "source"}

    @classmethod
    def initial_for(
        cls, importer: type[Importer[Any]], mapping: dict[str, str], options: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            **super().initial_for(importer, mapping, options),
            "stage_map": stage_map_text(options.get("stage_map")),
            "date_format": options.get("date_format", ""),
        }


class OwnerResolveForm(forms.Form):
    """Say who an unmatched CRM owner is: an existing person, or a new one."""

    key = forms.CharField(max_length=200, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label="The owner is a", choices=OwnerAlias.Kind.choices)
    person = forms.ModelChoiceField(
        label="Existing person",
        queryset=Person.objects.none(),
        required=False,
        empty_label="— create a new person —",
    )
    full_name = forms.CharField(label="New person's name", max_length=200, required=False)
    email = forms.EmailField(label="New person's email", required=False)

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("person") is None and not (data.get("full_name") or "").strip():
            raise ValidationError("Choose a person, or give the new person's name.")
        return data


class RateForm(forms.Form):
    currency = forms.CharField(label="Currency", max_length=3, help_text="e.g. EUR")
    rate = forms.DecimalField(
        label="Rate",
        min_value=Decimal("0.00000001"),
        max_digits=18,
        decimal_places=8,
        help_text="Units of the reporting currency one unit is worth.",
    )
    valid_from = forms.DateField(label="Valid from", widget=forms.DateInput(attrs={"type": "date"}))
