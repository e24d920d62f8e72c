"""Fixtures of the reviews tests: a generated template and a 2017-Q2 cycle for East Enterprise."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from charter.reviews.models import Cycle, TemplateVersion
from charter.reviews.services.cycles import cycle_create
from charter.reviews.services.templates import template_generate


@pytest.fixture
def version(org: Any, admin: Any) -> TemplateVersion:
    from charter.expectations import services as ex

    ex.value_create(org=org, actor=admin.user, name="Ownership")
    return template_generate(org=org, actor=admin.user, name="Quarterly", document=None)


@pytest.fixture
def cycle(org: Any, admin: Any, teams: Any, version: TemplateVersion, rep: Any, rep2: Any) -> Cycle:
    return cycle_create(
        org=org, actor=admin.user, name="Q2 reviews", period="2017-Q2", template_version=version,
        self_due=dt.date(2017, 7, 10), manager_due=dt.date(2017, 7, 20),
        sharing_due=dt.date(2017, 7, 31), audience="team", audience_team=teams["east_ent"],
    )  # fmt: skip


def answers_for(review: Any, rating: int = 3) -> dict[str, Any]:
    """A complete set of answers: every rating `rating`, every text filled."""
    return {
        item["key"]: rating if item["scale"] else "Good quarter."
        for item in review.items
        if item["kind"] != "kpis"
    }
