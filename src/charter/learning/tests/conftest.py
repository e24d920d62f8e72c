"""Fixtures shared by the learning tests: a company training and an East Enterprise one."""

from __future__ import annotations

from typing import Any

import pytest

from charter.learning.models import Training
from charter.learning.services.catalogue import training_create


@pytest.fixture
def company_training(org: Any, admin: Any) -> Training:
    return training_create(
        org=org, actor=admin.user, title="Negotiation basics", kind="course",
        expected_hours="6", code="NEG-101", tags="Negotiation, Sales",
    )  # fmt: skip


@pytest.fixture
def team_training(org: Any, teams: Any, manager: Any) -> Training:
    return training_create(
        org=org, actor=manager.user, title="Enterprise discovery", kind="shadowing",
        expected_hours="4", team=teams["east_ent"],
    )  # fmt: skip
