"""Compliance as pure functions over plain data: which requirement items a person has met, and
which are due, due soon or overdue on a day. The ORM feeds them (`learning.selectors`).

Rules:
- a training item is done once an approved completion of it is dated on or before the day;
  it is due on its date, or `due_days` after the hire date (no hire date: not applicable, and
  the reason says so); someone hired after an absolute due date is not asked for it;
- an hours item is done when the approved hours in the period of the day (month, quarter or
  fiscal year on the organization's calendar) reach what is asked, prorated by days for someone
  hired during the period; it is due at the period's end;
- an item not done is overdue after its due day, due soon within `DUE_SOON_DAYS` of it, else
  due.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from charter.core.periods import Period, period_containing

DUE_SOON_DAYS = 30
HUNDREDTH = Decimal("0.01")

DONE = "done"
DUE = "due"
DUE_SOON = "due_soon"
OVERDUE = "overdue"
NOT_APPLICABLE = "not_applicable"
STATES = (OVERDUE, DUE_SOON, DUE, DONE, NOT_APPLICABLE)
LABELS = {
    DONE: "Done", DUE: "Due", DUE_SOON: "Due soon", OVERDUE: "Overdue",
    NOT_APPLICABLE: "Not applicable",
}  # fmt: skip


@dataclass(frozen=True)
class TrainingRule:
    requirement: str
    training_id: int
    training: str
    due_rule: str  # "absolute" or "after_hire"
    due_date: dt.date | None = None
    due_days: int | None = None
    # The requirement's id: names need not be unique, and the heatmap's columns are requirements.
    requirement_id: int | None = None


@dataclass(frozen=True)
class HoursRule:
    requirement: str
    hours: Decimal
    period_kind: str  # "month", "quarter" or "year"
    requirement_id: int | None = None


@dataclass(frozen=True)
class Item:
    """One thing a person is asked to learn, and where they stand on it."""

    requirement: str
    label: str
    state: str
    due: dt.date | None
    reason: str = ""
    training_id: int | None = None
    hours_done: Decimal | None = None
    hours_asked: Decimal | None = None
    requirement_id: int | None = None

    @property
    def state_label(self) -> str:
        return LABELS[self.state]


def _state(done: bool, due: dt.date, day: dt.date) -> str:
    if done:
        return DONE
    if day > due:
        return OVERDUE
    if (due - day).days <= DUE_SOON_DAYS:
        return DUE_SOON
    return DUE


def training_item(
    rule: TrainingRule, *, hire_date: dt.date | None, completed: dict[int, dt.date], day: dt.date
) -> Item:
    """`completed`: training id → first approved completion day."""
    base: dict[str, Any] = {
        "requirement": rule.requirement,
        "label": rule.training,
        "training_id": rule.training_id,
        "requirement_id": rule.requirement_id,
    }
    if rule.due_rule == "after_hire":
        if hire_date is None:
            return Item(
                **base, state=NOT_APPLICABLE, due=None,
                reason="no hire date on record, so “within days of the hire date” has no day",
            )  # fmt: skip
        due = hire_date + dt.timedelta(days=rule.due_days or 0)
    else:
        assert rule.due_date is not None
        due = rule.due_date
        if hire_date is not None and hire_date > due:
            return Item(**base, state=NOT_APPLICABLE, due=due, reason="joined after it was due")
    first = completed.get(rule.training_id)
    done = first is not None and first <= day
    return Item(**base, state=_state(done, due, day), due=due)


def asked_hours(rule: HoursRule, period: Period, hire_date: dt.date | None) -> Decimal:
    """What is asked of someone in `period`: all of it, or the share of the period's days from
    their hire date on."""
    if hire_date is None or hire_date <= period.start:
        return rule.hours
    days = (period.end - hire_date).days + 1
    return (rule.hours * days / period.days).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def hours_item(
    rule: HoursRule,
    *,
    hire_date: dt.date | None,
    hours_by_day: Iterable[tuple[dt.date, Decimal]],
    day: dt.date,
    start_month: int,
) -> Item:
    period = period_containing(day, rule.period_kind, start_month)
    label = f"{rule.hours.normalize():f} hours a {rule.period_kind} ({period.label})"
    base: dict[str, Any] = {
        "requirement": rule.requirement, "requirement_id": rule.requirement_id,
        "label": label, "due": period.end,
    }  # fmt: skip
    if hire_date is not None and hire_date > period.end:
        return Item(**base, state=NOT_APPLICABLE, reason="not hired yet")
    asked = asked_hours(rule, period, hire_date)
    done = sum((h for d, h in hours_by_day if period.start <= d <= min(day, period.end)), Decimal())
    return Item(
        **base, state=_state(done >= asked, period.end, day), hours_done=done, hours_asked=asked
    )


def person_items(
    *,
    trainings: Iterable[TrainingRule],
    hours: Iterable[HoursRule],
    hire_date: dt.date | None,
    completions: Iterable[tuple[int, dt.date, Decimal]],
    day: dt.date,
    start_month: int,
) -> list[Item]:
    """Every item asked of one person on `day`. `completions`: their approved ones, as
    (training id, day, hours)."""
    completed: dict[int, dt.date] = {}
    by_day: list[tuple[dt.date, Decimal]] = []
    for training_id, when, spent in completions:
        if training_id not in completed or when < completed[training_id]:
            completed[training_id] = when
        by_day.append((when, spent))
    items = [
        training_item(rule, hire_date=hire_date, completed=completed, day=day) for rule in trainings
    ]
    items += [
        hours_item(rule, hire_date=hire_date, hours_by_day=by_day, day=day, start_month=start_month)
        for rule in hours
    ]
    return sorted(items, key=lambda i: (STATES.index(i.state), i.due or dt.date.max, i.label))


def tally(items: Iterable[Item]) -> dict[str, int]:
    counts = Counter(item.state for item in items)
    return {state: counts.get(state, 0) for state in STATES}


def share_met(items: Iterable[Item], day: dt.date) -> Decimal | None:
    """Of the items due by `day` (or done), the share done: the compliance figure. None when
    nothing is due yet."""
    counted = [i for i in items if i.state in (DONE, OVERDUE)]
    if not counted:
        return None
    done = sum(1 for i in counted if i.state == DONE)
    return (Decimal(done) / len(counted)).quantize(Decimal("0.0001"))
