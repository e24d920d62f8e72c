"""PDFs are tagged, with a language and a title, so assistive technology can read them."""

from __future__ import annotations

from weasyprint import HTML

from charter.core.pdf import tagged_pdf
from charter.core.tests.pdfinfo import pdf_info

PAGE = (
    '<!doctype html><html lang="en"><head><title>Plain title</title></head>'
    "<body><h1>Heading</h1><p>Text</p></body></html>"
)


def test_it_tags_a_pdf_with_the_pages_language_and_title():
    info = pdf_info(tagged_pdf(HTML(string=PAGE)))
    assert info["Tagged"] == "yes"
    assert info["Title"] == "Plain title"
    assert info["Lang"] == "en"


def test_it_tags_a_document_already_laid_out():
    info = pdf_info(tagged_pdf(HTML(string=PAGE).render()))
    assert info["Tagged"] == "yes"
