"""PDF of a 500-expectation document: Charter's whole path (build the structured content,
render Markdown safely, template, WeasyPrint) next to WeasyPrint alone rendering plain HTML of
the same text, in the same run."""

from __future__ import annotations

import time
from typing import Any

from django.db import connection
from django.test.utils import setup_test_environment

EXPECTATIONS = 500
SECTIONS = 10


def _timed(func: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def run() -> dict[str, Any]:
    from django.core.management import call_command
    from weasyprint import HTML

    from charter.accounts.models import User
    from charter.expectations import content, render, services
    from charter.expectations.models import Change
    from charter.org.models import Organization, Person, Role

    setup_test_environment()
    call_command("migrate", verbosity=0, interactive=False)
    org = Organization.objects.create(name="Bench Co")
    user = User.objects.create_user("bench-admin@bench.test", "x")
    Person.objects.create(org=org, user=user, full_name="Bench Admin", role=Role.ADMIN)
    value = services.value_create(org=org, actor=user, name="Ownership", description="We own it.")
    document = services.document_create(
        org=org, actor=user, title="Big document", from_template=False
    )
    paragraphs = []
    for s in range(SECTIONS):
        section = services.section_add(document=document, actor=user, title=f"Section {s + 1}")
        for e in range(EXPECTATIONS // SECTIONS):
            text = (
                f"Expectation {s + 1}.{e + 1}: follow up with **every** lead within one day, "
                "log the call, and update the stage, amount and close date by Friday noon."
            )
            services.expectation_add(
                section=section,
                actor=user,
                title=f"Expectation {s + 1}.{e + 1}",
                text=text,
                values=[value],
                measure_text="CRM activity report",
            )
            paragraphs.append(f"<h3>Expectation {s + 1}.{e + 1}</h3><p>{text}</p>")
    build_s, built = _timed(lambda: content.build(document))
    version = services.document_publish(
        document=document, actor=user, summary="Bench", change=Change.MATERIAL, distribute=False
    )
    charter_s, pdf = _timed(lambda: render.document_pdf(version))
    plain = "<html><body><h1>Big document</h1>" + "".join(paragraphs) + "</body></html>"
    reference_s, ref_pdf = _timed(lambda: HTML(string=plain).write_pdf())
    poster_s, _ = _timed(lambda: render.poster_pdf(version))
    connection.close()
    return {
        "expectations": EXPECTATIONS,
        "build_content_seconds": round(build_s, 3),
        "charter_pdf_seconds": round(charter_s, 3),
        "charter_pdf_bytes": len(pdf),
        "reference_weasyprint_plain_html_seconds": round(reference_s, 3),
        "reference_pdf_bytes": len(ref_pdf),
        "ratio_charter_to_reference": round(charter_s / reference_s, 2),
        "poster_pdf_seconds": round(poster_s, 3),
        "built_sections": len(built["sections"]),
    }
