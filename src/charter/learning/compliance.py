"""Compliance as pure functions over plain data: which requirement items a person has met, and
which are due, due soon or overdue on a day. The ORM feeds them (`learning.selectors`).

Rules:
- a training item is done once an approved completion of it is dated on or before the day;
  it is due on its date, or `due_days` after the hire date or after the day the person joined
  their team (no such day on record: not computable, and the reason says so); someone hired
  after an absolute due date is not asked for it;
- a certification item is done while the person's newest certificate of it is valid, due soon
  while that certificate is expiring (the certification's own window; due on its last day),
  overdue once it has expired, and, with no certificate at all, due, due soon or overdue by the
  rule's due day like a training;
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
# Not a state of its own (it counts as not applicable everywhere): what an item not applicable
# because its due day cannot be computed reads as, so nobody takes it for "not asked".
NOT_COMPUTABLE = "not_computable"
NOT_COMPUTABLE_LABEL = "Not computable"
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
class CertificationRule:
    requirement: str
    certification_id: int
    certification: str
    due_rule: str  # "absolute", "after_hire" or "after_join"
    expiring_days: int
    due_date: dt.date | None = None
    due_days: int | None = None
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
    certification_id: int | None = None
    computable: bool = True

    @property
    def state_label(self) -> str:
        return LABELS[self.state] if self.computable else NOT_COMPUTABLE_LABEL

    @property
    def status(self) -> str:
        """The state as exports and the API write it: "not_computable" for an item whose due
        day cannot be computed."""
        return self.state if self.computable else NOT_COMPUTABLE


def _state(done: bool, due: dt.date, day: dt.date) -> str:
    if done:
        return DONE
    if day > due:
        return OVERDUE
    if (due - day).days <= DUE_SOON_DAYS:
        return DUE_SOON
    return DUE


def due_of(
    rule: TrainingRule | CertificationRule, hire_date: dt.date | None, joined_on: dt.date | None
) -> tuple[dt.date | None, str]:
    """The day a rule falls due for someone, or None and why it cannot be computed."""
    days = dt.timedelta(days=rule.due_days or 0)
    if rule.due_rule == "after_hire":
        if hire_date is None:
            return None, "no hire date on record, so “within days of the hire date” has no day"
        return hire_date + days, ""
    if rule.due_rule == "after_join":
        if joined_on is None:
            return None, (
                "no day of joining the team on record (no team move and no hire date), so "
                "“within days of joining the team” has no day"
            )
        return joined_on + days, ""
    assert rule.due_date is not None
    return rule.due_date, ""


def _not_due(
    rule: TrainingRule | CertificationRule,
    base: dict[str, Any],
    hire_date: dt.date | None,
    joined_on: dt.date | None,
) -> tuple[dt.date | None, Item | None]:
    """The rule's due day, or the item saying it is not computable or not asked."""
    due, why = due_of(rule, hire_date, joined_on)
    if due is None:
        return None, Item(**base, state=NOT_APPLICABLE, due=None, reason=why, computable=False)
    if rule.due_rule == "absolute" and hire_date is not None and hire_date > due:
        return due, Item(**base, state=NOT_APPLICABLE, due=due, reason="joined after it was due")
    return due, None


def training_item(
    rule: TrainingRule,
    *,
    hire_date: dt.date | None,
    completed: dict[int, dt.date],
    day: dt.date,
    joined_on: dt.date | None = None,
) -> Item:
    """`completed`: training id → first approved completion day; `joined_on`: the day the
    person joined their team."""
    base: dict[str, Any] = {
        "requirement": rule.requirement,
        "label": rule.training,
        "training_id": rule.training_id,
        "requirement_id": rule.requirement_id,
    }
    due, settled = _not_due(rule, base, hire_date, joined_on)
    if settled is not None or due is None:
        assert settled is not None
        return settled
    first = completed.get(rule.training_id)
    done = first is not None and first <= day
    return Item(**base, state=_state(done, due, day), due=due)


def certification_item(
    rule: CertificationRule,
    *,
    hire_date: dt.date | None,
    held: dict[int, tuple[dt.date, dt.date]],
    day: dt.date,
    joined_on: dt.date | None = None,
) -> Item:
    """`held`: certification id → (issued, expires) of the person's newest certificate of it
    issued by `day`."""
    base: dict[str, Any] = {
        "requirement": rule.requirement,
        "label": rule.certification,
        "certification_id": rule.certification_id,
        "requirement_id": rule.requirement_id,
    }
    due, settled = _not_due(rule, base, hire_date, joined_on)
    if settled is not None or due is None:
        assert settled is not None
        return settled
    found = held.get(rule.certification_id)
    if found is None:
        return Item(**base, state=_state(False, due, day), due=due, reason="no certificate")
    expires = found[1]
    if day > expires:
        return Item(
            **base, state=OVERDUE, due=expires, reason=f"expired on {expires.isoformat()}"
        )  # fmt: skip
    if (expires - day).days <= rule.expiring_days:
        return Item(
            **base, state=DUE_SOON, due=expires, reason=f"expires on {expires.isoformat()}"
        )  # fmt: skip
    return Item(**base, state=DONE, due=due, reason=f"valid until {expires.isoformat()}")


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
    certifications: Iterable[CertificationRule] = (),
    certificates: Iterable[tuple[int, dt.date, dt.date]] = (),
    joined_on: dt.date | None = None,
) -> list[Item]:
    """Every item asked of one person on `day`. `completions`: their approved ones, as
    (training id, day, hours); `certificates`: theirs, as (certification id, issued, expires);
    `joined_on`: the day they joined their team."""
    held: dict[int, tuple[dt.date, dt.date]] = {}
    for certification_id, issued, expires in certificates:
        # The newest certificate counts (a renewal replaces the one before), once issued.
        if issued <= day and (certification_id not in held or expires > held[certification_id][1]):
            held[certification_id] = (issued, expires)
    completed: dict[int, dt.date] = {}
    by_day: list[tuple[dt.date, Decimal]] = []
    for training_id, when, spent in completions:
        if training_id not in completed or when < completed[training_id]:
            completed[training_id] = when
        by_day.append((when, spent))
    items = [
        training_item(rule, hire_date=hire_date, completed=completed, day=day, joined_on=joined_on)
        for rule in trainings
    ]
    items += [
        certification_item(rule, hire_date=hire_date, held=held, day=day, joined_on=joined_on)
        for rule in certifications
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
