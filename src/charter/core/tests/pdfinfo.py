"""What poppler's `pdfinfo` says of a PDF, for the tests that check PDFs are tagged."""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib

import pytest


def pdf_info(data: bytes) -> dict[str, str]:
    """pdfinfo's fields (Title, Tagged, …) and the catalog's language as `Lang`."""
    assert data.startswith(b"%PDF")
    tool = shutil.which("pdfinfo")
    if tool is None:
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    out = subprocess.run([tool, "-"], input=data, capture_output=True, check=True).stdout
    fields = dict(
        (key.strip(), value.strip())
        for key, _, value in (line.partition(":") for line in out.decode().splitlines())
    )
    # pdfinfo does not print the language: read it from the catalog, which WeasyPrint may
    # store in a compressed object stream.
    fields["Lang"] = ""
    for chunk in [data, *_streams(data)]:
        lang = re.search(rb"/Lang \((\w[\w-]*)\)", chunk)
        if lang:
            fields["Lang"] = lang.group(1).decode()
            break
    return fields


def _streams(data: bytes) -> list[bytes]:
    out = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            out.append(zlib.decompress(raw))
        except zlib.error:
            continue
    return out
