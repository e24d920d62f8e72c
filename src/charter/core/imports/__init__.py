"""Import machinery shared by every app: streaming readers, column mapping, validation that
collects every error, all-or-nothing apply, import runs with progress, saved profiles.

An app adds an importer by subclassing `Importer` in its `importers.py` and registering it with
`charter.core.registry.register_importer`; `charter import <name> FILE` and the upload pages
then work for it.
"""

from charter.core.imports.base import (
    ApplyError,
    CleanRow,
    Counts,
    Importer,
    ImportOption,
    Issue,
    Row,
)
from charter.core.imports.fields import Field, FieldInvalid, choice, date, email, text
from charter.core.imports.readers import ImportFileError

__all__ = [
    "ApplyError",
    "CleanRow",
    "Counts",
    "Field",
    "FieldInvalid",
    "ImportFileError",
    "ImportOption",
    "Importer",
    "Issue",
    "Row",
    "choice",
    "date",
    "email",
    "text",
]
