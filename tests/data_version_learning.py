"""The learning writers that change a scorecard, for tests/test_data_version.py (kept apart so
that file stays small): approving a completion and importing completions move learning's KPI
metrics (`kpis.registry`), through `kpis.rollups.contribute`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import Model

from charter.kpis import rollups
from charter.kpis.models import ContributedMetrics
from charter.learning.models import Training
from charter.learning.services.catalogue import training_create
from charter.learning.services.completions import (
    completion_report,
    completion_review,
    completions_import,
)
from charter.org.versions import data_version

# The rollup of the metrics other apps contribute (learning's approved hours).
LEARNING_MODELS: tuple[type[Model], ...] = (ContributedMetrics,)


def _training(w: Any) -> Training:
    return training_create(
        org=w.org, actor=w.admin.user, title="Discovery", kind="course", expected_hours="2"
    )


def _contribute(w: Any) -> None:
    rollups.contribute(
        org_id=w.org.pk, amounts=[(w.rep.pk, dt.date(2017, 2, 1), "training_hours", 150)]
    )


def _completion_review(w: Any) -> None:
    done = completion_report(
        person=w.rep, actor=w.rep.user, training=_training(w),
        completed_on=dt.date(2017, 5, 2), hours="2",
    )  # fmt: skip
    before = data_version(w.org.pk)
    completion_review(completion=done, actor=w.manager.user, approve=True)
    assert data_version(w.org.pk) > before


def _completions_import(w: Any) -> None:
    row = {"person": w.rep.pk, "training": _training(w).pk, "completed_on": dt.date(2017, 5, 2),
           "hours": Decimal("1.5"), "score": None}  # fmt: skip
    before = data_version(w.org.pk)
    completions_import(org=w.org, actor=w.admin.user, rows=[row])
    assert data_version(w.org.pk) > before


LEARNING_SERVICES: dict[str, Callable[[Any], None]] = {
    "charter.kpis.rollups.contribute": _contribute,
    "charter.learning.services.completions.completion_review": _completion_review,
    "charter.learning.services.completions.completions_import": _completions_import,
}
