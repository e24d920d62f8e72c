"""Learning's metrics for the KPI engine (`kpis.registry`): approved training hours and
approved completions, each on its completion day, for the person who completed it; and, per
period, the requirement items due and met (learning compliance).

The amounts are computed here as pure functions of a completion's fields; the completion
services add the change of each write to the KPI rollup (`kpis.rollups.contribute`) inside
their transaction, and `amounts` recomputes everything from the completions for a rebuild or
a check. Registered from `LearningConfig.ready`: the KPI engine never imports learning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Q

from charter.kpis.library import Builtin
from charter.kpis.metrics import COUNT, HOURS, Metric
from charter.kpis.registry import Amount, Contributor
from charter.learning.compliance import DONE, NOT_APPLICABLE, Item
from charter.learning.models import Completion, Requirement, Status
from charter.learning.selectors import compliance_of, rules_on
from charter.org.models import Person

if TYPE_CHECKING:
    from charter.core.periods import Period
    from charter.org.models import Organization

TRAINING_HOURS = "training_hours"
TRAINING_COMPLETIONS = "training_completions"
# Hours are stored in hundredths, the completions' own precision: sums stay exact.
HOURS_SCALE = 100
ITEMS_DUE = "learning_items_due"
ITEMS_MET = "learning_items_met"
_SHOWS = (("training.title", "Training"), ("hours", "Hours"), ("source", "Source"))
_ITEM_SHOWS = (("requirement", "Requirement"), ("label", "Item"), ("state", "State"))

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
    Metric(
        ITEMS_DUE,
        "Learning items due",
        COUNT,
        1,
        Requirement,
        "due",
        Q(),
        "",
        "Requirement items due by the period's last day (or today while it runs), done or "
        "overdue: what compliance divides by.",
        owner="person",
        shows=_ITEM_SHOWS,
        per_period=True,
    ),
    Metric(
        ITEMS_MET,
        "Learning items met",
        COUNT,
        1,
        Requirement,
        "due",
        Q(),
        "",
        "Of the requirement items due by the period's last day (or today while it runs), "
        "those done.",
        owner="person",
        shows=_ITEM_SHOWS,
        per_period=True,
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
    Builtin(
        "learning_compliance",
        "Learning compliance",
        f"{ITEMS_MET} / {ITEMS_DUE}",
        "percent",
        description="Of the learning requirement items due by the period's end (or today), "
        "the share done. Off until an admin turns it on: it is computed from the requirements "
        "for each scorecard rather than summed from the rollup.",
        active=False,
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


# -- compliance: computed per period, not stored ----------------------------------------------
#
# A period's compliance is the requirement items as they stood on its last day (today while it
# runs): of those due by then or done, how many were done (an hours item falls due on its
# period's last day, so a quarter's hours count in that quarter's figure). It is not a sum over
# days (an item overdue last quarter is still due this quarter until done), so it is computed
# for the period from the requirements and completions, as the compliance pages compute it
# (`learning.selectors.compliance_of`); a team's share is its met items over its due items.


@dataclass(frozen=True)
class ItemRecord:
    """One item of one person behind a compliance figure, and what it adds (1 or 0)."""

    person: Person
    due: dt.date | None
    requirement: str
    label: str
    state: str
    value: Decimal
    pk: None = None  # not a stored row


def _counted(item: Item, day: dt.date) -> bool:
    """Due by `day` (met or not), or done."""
    if item.state == DONE:
        return True
    return item.state != NOT_APPLICABLE and item.due is not None and item.due <= day


def _people_items(
    org: Organization, person_ids: Sequence[int], period: Period, today: dt.date
) -> list[tuple[Person, list[Item]]]:
    """Each person's items counted in the period's figure, as of its last day (or today)."""
    day = min(period.end, today)
    if day < period.start:  # a period not begun: nothing is due in it yet
        return []
    people = list(
        Person.objects.filter(org=org, pk__in=list(person_ids))
        .select_related("org")
        .order_by("full_name", "pk")
    )
    found = compliance_of(people, day, rules_on(org.pk, day))
    return [(p, [i for i in found[p.pk] if _counted(i, day)]) for p in people]


def compliance_values(
    org: Organization, person_ids: Sequence[int], period: Period, today: dt.date
) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    for person, items in _people_items(org, person_ids, period, today):
        met = sum(1 for i in items if i.state == DONE)
        out[person.pk] = {ITEMS_DUE: len(items), ITEMS_MET: met}
    return out


def compliance_records(
    org: Organization, person_ids: Sequence[int], period: Period, today: dt.date, key: str
) -> list[ItemRecord]:
    """The items behind `key` (due: every counted item; met: those done), person by
    person."""
    return [
        ItemRecord(
            person, i.due, i.requirement, i.label, "Done" if i.state == DONE else "Not done",
            Decimal(1),
        )
        for person, items in _people_items(org, person_ids, period, today)
        for i in sorted(items, key=lambda i: (i.due or dt.date.max, i.label))
        if key == ITEMS_DUE or i.state == DONE
    ]  # fmt: skip


CONTRIBUTOR = Contributor(
    "learning",
    metrics=METRICS,
    amounts=amounts,
    builtins=BUILTINS,
    period_values=compliance_values,
    period_records=compliance_records,
)
