"""Markup that assistive technology relies on, checked where it is rendered (the browser tests
run axe-core over every page too; these say exactly which promise broke)."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.fallback import FallbackStorage
from django.template.loader import render_to_string
from django.test import RequestFactory

from charter.conftest import client_for
from charter.core.tests.pdfinfo import pdf_info
from tests.test_permission_matrix import _expectations_world

pytestmark = pytest.mark.django_db


def test_flash_messages_are_a_list_inside_a_status_region(rep):
    request = RequestFactory().get("/")
    request.user = rep.user
    request.session = {}
    store = FallbackStorage(request)
    store.add(constants.SUCCESS, "Saved.")
    html = render_to_string("base.html", {"messages": store}, request=request)
    region = re.search(r'<div class="messages" role="status"><ul>\s*<li[^>]*>Saved.</li>', html)
    assert region, html
    assert '<ul class="messages" role=' not in html


def test_org_chart_keeps_each_persons_link_out_of_the_toggle(everyone):
    body = client_for(everyone["admin"]).get("/org/chart/").content.decode()
    summaries = re.findall(r"<summary>(.*?)</summary>", body, re.S)
    assert len(summaries) == 3  # one per person with reports
    assert all("<a " not in summary for summary in summaries), summaries
    # Every person still has their link beside the toggle.
    assert body.count('href="/org/people/') >= 6


def test_period_picker_links_are_named_by_their_visible_text(rep):
    html = client_for(rep).get("/kpis/?period=2026-Q3").content.decode()
    previous = re.search(r'<a [^>]*rel="prev"[^>]*>(.*?)</a>', html, re.S)
    assert previous is not None
    assert "aria-label" not in previous.group(0)
    # The arrow is decoration; the name starts with the label the link shows.
    assert previous.group(1).startswith('<span aria-hidden="true">← </span>2026-Q2')


def test_expectations_list_names_its_actions_column(everyone, teams, org):
    _expectations_world(everyone, teams, org)
    html = client_for(everyone["manager"]).get("/expectations/").content.decode()
    assert "<th></th>" not in html
    assert "<th>Actions</th>" in html


def test_api_docs_page_says_its_language(rep):
    html = client_for(rep).get("/api/v1/docs/").content.decode()
    assert '<html lang="en">' in html


@pytest.mark.parametrize(
    ("kind", "title"), [("pdf", "East rules v1"), ("poster", "East rules poster")]
)
def test_expectations_pdfs_are_tagged_with_language_and_title(everyone, teams, org, kind, title):
    document = _expectations_world(everyone, teams, org)["team_doc"]
    response = client_for(everyone["rep"]).get(f"/expectations/{document.pk}/v/1/{kind}/")
    info = pdf_info(response.content)
    assert (info["Tagged"], info["Title"], info["Lang"]) == ("yes", title, "en")
