"""File names for what Charter hands out as a file: a download in the browser and the same
thing attached to an email get one name, built here from text people typed (document titles,
team names), which may hold quotes, slashes, line breaks or anything else."""

from __future__ import annotations

from django.utils.text import slugify

# Long titles make unwieldy names; the name only has to be recognisable.
_MAX_STEM = 100


def download_name(*parts: str | int, extension: str) -> str:
    """`parts` as one ASCII file name: letters, digits and hyphens only (so no path, no quote
    to break out of a Content-Disposition header, no header injection in a mail part), never
    empty, with `extension`."""
    stem = "-".join(filter(None, (slugify(str(p)) for p in parts)))[:_MAX_STEM].strip("-")
    return f"{stem or 'charter'}.{extension}"
