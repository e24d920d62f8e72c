"""Learning's metrics for the KPI engine (`kpis.registry`): approved training hours and
approved completions, each on its completion day, for the person who completed it.

The amounts are computed here as pure functions of a completion's fields; the completion
services add the change of each write to the KPI rollup (`kpis.rollups.contribute`) inside
their transaction, and `amounts` recomputes everything from the completions for a rebuild or
a check. Registered from `LearningConfig.ready`: the KPI engine never imports learning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Q

from charter.kpis.library import Builtin
from charter.kpis.metrics import COUNT, HOURS, Metric
from charter.kpis.registry import Amount, Contributor
from charter.learning.models import Completion, Status

if TYPE_CHECKING:
    from charter.org.models import Organization

TRAINING_HOURS = "training_hours"
TRAINING_COMPLETIONS = "training_completions"
# Hours are stored in hundredths, the completions' own precision: sums stay exact.
HOURS_SCALE = 100
_SHOWS = (("training.title", "Training"), ("hours", "Hours"), ("source", "Source"))

METRICS = (
    Metric(
        TRAINING_HOURS,
        "Training hours",
        HOURS,
        HOURS_SCALE,
        Completion,
        "completed_on",
        Q(status=Status.APPROVED),
        "hours",
        "Hours of approved training completions, on the day completed.",
        owner="person",
        shows=_SHOWS,
    ),
    Metric(
        TRAINING_COMPLETIONS,
        "Training completions",
        COUNT,
        1,
        Completion,
        "completed_on",
        Q(status=Status.APPROVED),
        "",
        "Approved training completions, on the day completed.",
        owner="person",
        shows=_SHOWS,
    ),
)

BUILTINS = (
    Builtin(
        "training_hours",
        "Training hours",
        TRAINING_HOURS,
        "count",
        decimals=1,
        description="Hours of training completed in the period and approved (or imported "
        "from the LMS), on the day completed.",
    ),
)

# A completion's fields its amounts depend on: (person id, completed on, hours, status).
State = tuple[int, dt.date, Decimal, str]


def state_of(completion: Completion) -> State:
    return (completion.person_id, completion.completed_on, completion.hours, completion.status)


def completion_amounts(state: State | None, sign: int = 1) -> Iterator[Amount]:
    """What one completion adds to the learning metrics: nothing unless it is approved."""
    if state is None:
        return
    person_id, day, hours, status = state
    if status != Status.APPROVED:
        return
    yield person_id, day, TRAINING_HOURS, sign * int((hours * HOURS_SCALE).to_integral_value())
    yield person_id, day, TRAINING_COMPLETIONS, sign


def changed_amounts(before: State | None, after: State | None) -> list[Amount]:
    """A write's change to the metrics: its amounts after, less those before."""
    if before == after:
        return []
    return [*completion_amounts(before, -1), *completion_amounts(after)]


def amounts(org: Organization, person_ids: Sequence[int]) -> Iterable[Amount]:
    """Every amount of these people, from their approved completions (a rebuild, a check)."""
    rows = (
        Completion.objects.filter(org=org, person_id__in=list(person_ids), status=Status.APPROVED)
        .order_by()
        .values_list("person_id", "completed_on", "hours", "status")
    )
    for row in rows.iterator(chunk_size=5_000):
        yield from completion_amounts(row)


CONTRIBUTOR = Contributor("learning", metrics=METRICS, amounts=amounts, builtins=BUILTINS)
