"""Every PDF Charter writes goes out through here, tagged.

A tagged PDF carries its structure (headings, paragraphs, tables, reading order) beside the
drawing, so screen readers and reflowing viewers can read it; untagged, it is a picture of text.
WeasyPrint tags from the HTML, and takes the document's language from `<html lang>` and its
title from `<title>`: every PDF template sets both.
"""

from __future__ import annotations

from typing import Any


def tagged_pdf(source: Any) -> bytes:
    """The PDF of a WeasyPrint `HTML` or rendered `Document`, with its structure tags."""
    return bytes(source.write_pdf(pdf_tags=True))
