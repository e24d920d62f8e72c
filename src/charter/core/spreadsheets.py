"""What every XLSX export shares: a sheet title Excel accepts, made from any text."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Excel refuses these in a sheet title (openpyxl raises on them), and control characters
# cannot be stored in the workbook's XML at all.
_FORBIDDEN = re.compile(r"[:\\/?*\[\]\x00-\x1f\x7f]")
MAX_TITLE = 31
# Excel keeps this name for itself (the change history sheet).
_RESERVED = {"history"}


def sheet_title(text: str, *, taken: Iterable[str] = (), fallback: str = "Sheet") -> str:
    """`text` as a sheet title: forbidden characters become spaces, at most 31 characters, no
    apostrophe at either end, and different (ignoring case, as Excel does) from `taken`, the
    titles the workbook already has. Names come from the org chart and CRM, so anything goes."""
    title = " ".join(_FORBIDDEN.sub(" ", text).split())[:MAX_TITLE].strip().strip("'").strip()
    if not title or title.casefold() in _RESERVED:
        title = fallback
    used = {t.casefold() for t in taken}
    candidate, number = title, 2
    while candidate.casefold() in used:
        suffix = f" ({number})"
        candidate = title[: MAX_TITLE - len(suffix)].rstrip() + suffix
        number += 1
    return candidate
