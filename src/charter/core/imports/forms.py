"""Forms of the upload pages, built from an importer's fields and options so every importer
gets the same upload, mapping and confirm steps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from charter.core.imports.base import Importer
from charter.core.models import ImportProfile

ACCEPTED_EXTENSIONS = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")
MAX_UPLOAD_BYTES = 200 * 1024 * 1024


def _option_fields(form: forms.Form, importer: type[Importer[Any]]) -> None:
    for option in importer.options:
        form.fields[option.name] = forms.BooleanField(
            label=option.label, required=False, help_text=option.help.capitalize() + "."
        )


class UploadForm(forms.Form):
    # Empty files get the reader's own message ("the file is empty"), as on the command line.
    file = forms.FileField(
        label="File",
        allow_empty_file=True,
        help_text="CSV (comma, semicolon or tab; UTF-8, UTF-16 or Latin-1) or XLSX; the first "
        "row names the columns.",
    )
    sheet = forms.CharField(
        label="Sheet", required=False, max_length=100, help_text="XLSX only; the first by default."
    )
    profile = forms.ModelChoiceField(
        label="Saved column mapping",
        queryset=ImportProfile.objects.none(),
        required=False,
        empty_label="None: match columns by their names",
    )
    skip_invalid = forms.BooleanField(
        label="Skip invalid rows",
        required=False,
        help_text="Import the valid rows and list the others. Without it, nothing is written "
        "unless every row is valid.",
    )

    def __init__(
        self,
        *args: Any,
        importer: type[Importer[Any]],
        profiles: QuerySet[ImportProfile],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.importer = importer
        self.fields["profile"].queryset = profiles  # type: ignore[attr-defined]
        _option_fields(self, importer)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in ACCEPTED_EXTENSIONS:
            raise ValidationError("Upload a .csv or .xlsx file.")
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(f"The file is over {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
        return upload

    def options(self) -> dict[str, Any]:
        chosen: dict[str, Any] = {
            o.name: True for o in self.importer.options if self.cleaned_data.get(o.name)
        }
        if self.cleaned_data.get("sheet"):
            chosen["sheet"] = self.cleaned_data["sheet"].strip()
        return chosen


class MappingForm(forms.Form):
    """One select per field, listing the file's columns; plus the options of the import."""

    skip_invalid = forms.BooleanField(label="Skip invalid rows", required=False)
    save_as = forms.CharField(
        label="Save this mapping as",
        required=False,
        max_length=100,
        help_text="Optional: a name to reuse this mapping for the next file.",
    )

    def __init__(
        self, *args: Any, importer: type[Importer[Any]], header: tuple[str, ...], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.importer = importer
        choices = [("", "— not imported —"), *((c, c) for c in header)]
        for f in importer.fields:
            # Not required by the form: a missing required column is reported by the preview
            # with what the file has, and the other choices are kept meanwhile.
            self.fields[f"map_{f.name}"] = forms.ChoiceField(
                label=f"{f.label} (required)" if f.required else f.label,
                choices=choices,
                required=False,
                help_text=f.help,
            )
        _option_fields(self, importer)
        order = [f"map_{f.name}" for f in importer.fields]
        order += [o.name for o in importer.options] + ["skip_invalid", "save_as"]
        self.order_fields(order)

    def mapping_fields(self) -> list[forms.BoundField]:
        return [self[f"map_{f.name}"] for f in self.importer.fields]

    def option_fields(self) -> list[forms.BoundField]:
        return [self[o.name] for o in self.importer.options]

    def mapping(self) -> dict[str, str]:
        return {f.name: self.cleaned_data.get(f"map_{f.name}") or "" for f in self.importer.fields}

    def options(self) -> dict[str, Any]:
        return {o.name: True for o in self.importer.options if self.cleaned_data.get(o.name)}

    def chosen_options(self, pending: dict[str, Any]) -> dict[str, Any]:
        """The run's options after this form; `pending` holds the run's current ones, for a
        subclass to keep what was fixed at upload. May raise ValidationError."""
        return self.options()

    def current_options(self, pending: dict[str, Any]) -> dict[str, Any]:
        """The run's options as `chosen_options` would give them, to tell whether the form
        changed anything (and the preview must be seen again before confirming)."""
        flags = {o.name: True for o in self.importer.options if pending.get(o.name)}
        valued = {k: v for k, v in pending.items() if k in self.importer.valued_options}
        return {**flags, **valued}

    def profile_options(self, options: dict[str, Any]) -> dict[str, Any]:
        """What a profile saved from this form keeps besides the columns."""
        return {k: v for k, v in options.items() if k in self.importer.valued_options}

    @classmethod
    def initial_for(
        cls, importer: type[Importer[Any]], mapping: dict[str, str], options: dict[str, Any]
    ) -> dict[str, Any]:
        initial: dict[str, Any] = {f"map_{k}": v for k, v in mapping.items()}
        for option in importer.options:
            initial[option.name] = bool(options.get(option.name))
        return initial
