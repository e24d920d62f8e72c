"""HTML and PDF renderings of a version's content. The web page, the email and the PDF share
the same body template, so what people sign is what they read everywhere."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from charter.core.downloads import download_name
from charter.core.pdf import tagged_pdf


def document_html(content: dict[str, Any]) -> str:
    """The document body (sections and expectations) as HTML, frozen into each version."""
    return render_to_string("expectations/_document_body.html", {"content": content})


def _layout(html: str) -> Any:
    """WeasyPrint's laid-out document; `.pages` tells how many pages it fills."""
    from weasyprint import HTML

    return HTML(string=html, base_url=None).render()


def document_layout(version: Any) -> Any:
    return _layout(render_to_string("expectations/pdf/document.html", {"version": version}))


def document_pdf(version: Any) -> bytes:
    return tagged_pdf(document_layout(version))


def poster_pdf(version: Any) -> bytes:
    return tagged_pdf(poster_layout(version))


def poster_layout(version: Any) -> Any:
    content = version.content
    key_items = [
        {**item, "section": section["title"]}
        for section in content["sections"]
        if not section["provider"]
        for item in section["expectations"]
        if item.get("is_key")
    ]
    if not key_items:
        # Without explicit key expectations, the first of each section keeps the poster useful.
        key_items = [
            {**section["expectations"][0], "section": section["title"]}
            for section in content["sections"]
            if not section["provider"] and section["expectations"]
        ]
    html = render_to_string(
        "expectations/pdf/poster.html",
        {"version": version, "values": content["values"], "items": key_items[:8]},
    )
    return _layout(html)


def pdf_filename(version: Any, *, poster: bool = False) -> str:
    """The PDF's file name, the same for the download and the email attachment."""
    parts = [version.document.title, f"v{version.number}"] + (["poster"] if poster else [])
    return download_name(*parts, extension="pdf")
