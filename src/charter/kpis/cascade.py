"""Targets across periods, as pure functions: a period without a target of its own takes the sum
of its shorter periods' targets (roll-up) or a share of a longer period's (roll-down), and every
target says where it came from (`TargetSource`).

The rules, in order, for one subject and one KPI in one period:
1. A target set for the period is the target (its revisions prorated by days). When its shorter
   periods have targets too, they are added up beside it, to show the difference; the set one
   wins.
2. Only for an additive KPI (its actual is a sum of metrics): the sum of the targets of the
   shorter periods inside it (a quarter's months, a fiscal year's quarters, each of those set or
   itself a sum), counting the shorter periods that have one: someone who joined in the second
   month of a quarter has the targets of two months.
3. Only for an additive KPI: a share of the target set for the nearest longer period (a month's
   quarter, then its fiscal year): by days, or by the KPI's seasonality profile (shares per
   month, or last year's actuals month by month). Shares of a longer target add up to it.
A ratio or an average (a win rate, an average deal size, CSAT, cycle days) is never summed or
shared: a quarter's win rate is not three months' rates added up, nor a third of a year's.

Teams slot their members in between (see `kpis.selectors.targets.rolled_target`): a team's own
target set or added up from its own shorter periods, then its members' and sub-teams' targets
added up, then a share of its own longer period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from charter.core.periods import MONTH, QUARTER, YEAR, Period, containers_of, parts_of

SET = "set"  # set for the period itself
SUM = "sum"  # the sum of its shorter periods' targets
SHARE = "share"  # a share of a longer period's target
MEMBERS = "members"  # a team's or the organization's: the sum of the targets below it

BY_DAYS = "days"
BY_SHARES = "shares"
BY_LAST_YEAR = "last_year"
RULES = {
    BY_DAYS: "by days",
    BY_SHARES: "by the KPI's seasonality shares",
    BY_LAST_YEAR: "by last year's actuals",
}

RATIO_NOTE = (
    "A ratio or an average is never added up from shorter periods nor shared out of a longer "
    "one: it has a target only when one is set for this period."
)


# Slotted, not frozen: an org-wide page builds ten thousand (a frozen init costs several
# times more), and nothing changes one after it is made.
@dataclass(slots=True)
class Part:
    """A shorter period's target, one of those added up."""

    label: str
    value: Decimal


@dataclass(slots=True)
class Weight:
    """What share of a longer period a shorter one takes: `numerator` of `denominator` (days,
    seasonality shares, or last year's actuals) under `rule`."""

    numerator: Decimal
    denominator: Decimal
    rule: str = BY_DAYS


@dataclass(slots=True)
class TargetSource:
    """Where a target came from. `period` is the period whose target was set or added up (for a
    share: the longer period shared). `parts`: the shorter periods added up (SUM), or beside a
    set target, what they add up to (SET). `whole` and `weight`: the longer target and the
    share of it (SHARE)."""

    kind: str
    period: str
    parts: tuple[Part, ...] = ()
    whole: Decimal | None = None
    weight: Weight | None = None
    kind_of_parts: str = ""  # "months" | "quarters" (SUM and SET), "teams" | "members" (MEMBERS)

    @property
    def parts_total(self) -> Decimal | None:
        if not self.parts:
            return None
        return sum((part.value for part in self.parts), Decimal(0))


def label_name(label: str) -> str:
    """`2019-07` as `Jul 2019`; quarters and fiscal years keep their labels."""
    if len(label) == 7 and label[4] == "-" and label[5:].isdigit():
        return dt.date(int(label[:4]), int(label[5:]), 1).strftime("%b %Y")
    return label


def plain(value: Decimal) -> str:
    """A figure for a sentence: two decimals at most, thousands grouped."""
    rounded = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if rounded == rounded.to_integral_value():
        return f"{rounded:,.0f}"
    return f"{rounded:,.2f}"


def describe(
    source: TargetSource | None, value: Decimal | None, fmt: Callable[[Decimal], str] = plain
) -> str:
    """The source in words, with its figures: "sum of Jul 2019, Aug 2019, Sep 2019: 400 + 400 +
    410 = 1,210", "a share of FY2019's 4,800,000 by days: 92 of 365 = 1,209,863.01", "set for
    2019-Q1"."""
    if source is None or value is None:
        return ""
    if source.kind == SET:
        text = f"set for {label_name(source.period)}"
        total = source.parts_total
        if total is not None and total != value:
            noun = "fiscal year" if source.period.upper().startswith("FY") else "quarter"
            text += (
                f"; the {source.kind_of_parts} add up to {fmt(total)}; "
                f"the {noun}'s target is {fmt(value)}"
            )
        return text
    if source.kind == SUM:
        names = ", ".join(label_name(part.label) for part in source.parts)
        sums = " + ".join(fmt(part.value) for part in source.parts)
        return f"sum of {names}: {sums} = {fmt(value)}"
    if source.kind == SHARE and source.weight is not None and source.whole is not None:
        weight = source.weight
        of = (
            f"{weight.numerator:,} of {weight.denominator:,} days"
            if weight.rule == BY_DAYS
            else f"{fmt(weight.numerator)} of {fmt(weight.denominator)}"
        )
        return (
            f"a share of {label_name(source.period)}'s {fmt(source.whole)} "
            f"{RULES.get(weight.rule, weight.rule)}: {of} = {fmt(value)}"
        )
    if source.kind == MEMBERS:
        return f"sum of the {source.kind_of_parts}' targets: {fmt(value)}"
    return ""


def source_json(source: TargetSource | None, value: Decimal | None) -> dict[str, object] | None:
    """The source as JSON-safe data: figures as exact decimal text."""
    if source is None or value is None:
        return None
    weight = source.weight
    total = source.parts_total
    return {
        "kind": source.kind,
        "period": source.period,
        "kind_of_parts": source.kind_of_parts,
        "text": describe(source, value),
        "parts": [{"period": p.label, "target": format(p.value, "f")} for p in source.parts],
        "parts_total": format(total, "f") if total is not None else None,
        "whole": format(source.whole, "f") if source.whole is not None else None,
        "share_rule": weight.rule if weight is not None else None,
        "share": (
            [format(weight.numerator, "f"), format(weight.denominator, "f")]
            if weight is not None
            else None
        ),
    }


def source_from_json(data: Mapping[str, Any] | None) -> TargetSource | None:
    """A source back from `source_json` (a closed period's frozen figures keep theirs)."""
    if not data:
        return None
    share = data.get("share")
    weight = None
    if share:
        weight = Weight(Decimal(share[0]), Decimal(share[1]), data.get("share_rule") or BY_DAYS)
    whole = data.get("whole")
    return TargetSource(
        kind=data["kind"],
        period=data["period"],
        parts=tuple(Part(p["period"], Decimal(p["target"])) for p in data.get("parts", [])),
        whole=Decimal(whole) if whole is not None else None,
        weight=weight,
        kind_of_parts=data.get("kind_of_parts", ""),
    )


# -- shares of a longer period ---------------------------------------------------------------


def by_days(period: Period, whole: Period) -> Weight:
    return Weight(Decimal(period.days), Decimal(whole.days), BY_DAYS)


def by_months(
    period: Period, whole: Period, amounts: Mapping[dt.date, Decimal], rule: str
) -> Weight | None:
    """The share of the longer period's months that fall in `period`, each month weighing its
    amount (`amounts` by first day of month; a missing month weighs nothing). None when the
    longer period's months weigh nothing, or anything weighs less than nothing: no share."""
    total = Decimal(0)
    mine = Decimal(0)
    for month in whole.months():
        amount = amounts.get(month, Decimal(0))
        if amount < 0:
            return None
        total += amount
        if period.contains(month):
            mine += amount
    if total <= 0:
        return None
    return Weight(mine, total, rule)


def shared(whole: Decimal, weight: Weight) -> Decimal:
    # Multiply before dividing: a quarter of 4,800,000 by 92 of 366 days stays exact as long as
    # it can.
    return whole * weight.numerator / weight.denominator


# -- the rules -------------------------------------------------------------------------------

# Whatever names a subject to the caller (the selectors use (kind, id) pairs).
Subject = Any
ByLabel = Mapping[str, Mapping[Subject, Mapping[str, Decimal]]]
Weigh = Callable[[str, Period, Period], Weight]
PARTS_NAME = {YEAR: "quarters", QUARTER: "months", MONTH: ""}


@dataclass(frozen=True)
class Family:
    """A period and its relatives on the fiscal calendar: the shorter periods inside it (down to
    months) and the longer ones around it."""

    period: Period
    parts: Mapping[str, list[Period]]  # by label of every period down the tree
    containers: list[Period]
    # By label of every period down the tree: the labels of all the periods inside it.
    below: Mapping[str, frozenset[str]]

    @classmethod
    def of(cls, period: Period, start_month: int) -> Family:
        parts: dict[str, list[Period]] = {}
        todo = [period]
        while todo:
            current = todo.pop()
            parts[current.label] = parts_of(current, start_month)
            todo.extend(parts[current.label])

        def inside(label: str) -> frozenset[str]:
            found = {part.label for part in parts[label]}
            for part in parts[label]:
                found |= inside(part.label)
            return frozenset(found)

        below = {label: inside(label) for label in parts}
        return cls(period, parts, containers_of(period, start_month), below)

    def members(self) -> list[Period]:
        """The period, every period inside it and every period around it."""
        out = [self.period]
        for parts in self.parts.values():
            out.extend(parts)
        return out + self.containers


# One subject's set targets by period label, then KPI key: what the rules read.
Mine = Mapping[str, Mapping[str, Decimal]]


def _mine(found: ByLabel, subject: Subject) -> dict[str, Mapping[str, Decimal]]:
    out = {}
    for label, targets in found.items():
        found_here = targets.get(subject)
        if found_here:
            out[label] = found_here
    return out


def rolled_up(family: Family, label: str, mine: Mine) -> dict[str, list[Part]]:
    """By KPI key, the targets of the shorter periods of `label` that have one: set for them,
    or added up from theirs in turn (only where the subject has a target further down at all).
    Every KPI at once: one pass over each shorter period's targets."""
    out: dict[str, list[Part]] = {}
    for part in family.parts.get(label, ()):
        own = mine.get(part.label, NOTHING)
        for key, value in own.items():
            out.setdefault(key, []).append(Part(part.label, value))
        if not family.below[part.label].isdisjoint(mine):
            for key, total in _rolled_totals(family, part.label, mine).items():
                if key not in own:
                    out.setdefault(key, []).append(Part(part.label, total))
    return out


def _rolled_totals(family: Family, label: str, mine: Mine) -> dict[str, Decimal]:
    """What `rolled_up`'s parts of `label` add up to, by KPI key, added in the same order
    (so to the same figure) without building the parts: a year's quarters are added up from
    their months, whose parts no source shows. An org-wide year page of monthly targets does
    this for every person."""
    out: dict[str, Decimal] = {}
    for part in family.parts.get(label, ()):
        adding = mine.get(part.label, NOTHING)
        if not family.below[part.label].isdisjoint(mine):
            below = _rolled_totals(family, part.label, mine)
            if below:
                # A period's own target wins over what its shorter periods add up to.
                adding = {**below, **adding}
        if not out:
            out = dict(adding)
        elif out.keys() == adding.keys():
            # The usual case, every KPI in every month: one comprehension, not a look-up and
            # a store per KPI.
            out = {key: total + adding[key] for key, total in out.items()}
        else:
            for key, value in adding.items():
                total = out.get(key)
                out[key] = value if total is None else total + value
    return out


NOTHING: Mapping[str, Decimal] = {}
NO_PARTS: dict[str, list[Part]] = {}


def _total(parts: list[Part]) -> Decimal:
    total = parts[0].value
    for part in parts[1:]:
        total += part.value
    return total


@dataclass(slots=True)
class Derived:
    value: Decimal
    source: TargetSource


def derive_one(
    family: Family, found: ByLabel, subject: Subject, key: str, weigh: Weigh
) -> Derived | None:
    """The rules of the module docstring for one subject and one additive KPI."""
    mine = _mine(found, subject)
    return _derive(family, mine, key, _parts_of(family, mine), weigh)


def _parts_of(family: Family, mine: Mine) -> dict[str, list[Part]]:
    if family.below[family.period.label].isdisjoint(mine):
        return NO_PARTS
    return rolled_up(family, family.period.label, mine)


def _derive(
    family: Family, mine: Mine, key: str, rolled: Mapping[str, list[Part]], weigh: Weigh
) -> Derived | None:
    period = family.period
    name = PARTS_NAME[period.kind]
    targets = mine.get(period.label)
    own = targets.get(key) if targets is not None else None
    parts = rolled.get(key)
    if own is not None:
        found = tuple(parts) if parts else ()
        return Derived(own, TargetSource(SET, period.label, found, kind_of_parts=name))
    if parts:
        source = TargetSource(SUM, period.label, tuple(parts), kind_of_parts=name)
        return Derived(_total(parts), source)
    for longer in family.containers:
        targets = mine.get(longer.label)
        whole = targets.get(key) if targets is not None else None
        if whole is not None:
            weight = weigh(key, period, longer)
            source = TargetSource(SHARE, longer.label, whole=whole, weight=weight)
            return Derived(shared(whole, weight), source)
    return None


def derive(
    family: Family,
    found: ByLabel,
    weigh: Weigh,
    additive: Mapping[str, bool] | None = None,
    subjects: Iterable[Subject] | None = None,
) -> dict[Subject, dict[str, Derived]]:
    """Each KPI's target by the rules (of every KPI unless `additive` says which add up: the
    caller then keeps a ratio's set target only), for each subject with a target in any period
    of the family other than the period itself (or `subjects`): the period's own set targets of
    everyone else need no deriving and are left out, so a page whose targets are all set for its
    period does no work here."""
    period_label = family.period.label
    # Everyone's targets by subject, then period label (as `_mine` gives one subject's): one
    # pass over what was read rather than a look-up of every label for every subject.
    by_subject: dict[Subject, dict[str, Mapping[str, Decimal]]] = {}
    for label, targets in found.items():
        for subject, by_key in targets.items():
            if by_key:
                mine = by_subject.get(subject)
                if mine is None:
                    mine = by_subject[subject] = {}
                mine[label] = by_key
    if subjects is None:
        subjects = [
            subject
            for subject, mine in by_subject.items()
            if len(mine) > 1 or period_label not in mine
        ]
    out: dict[Subject, dict[str, Derived]] = {}
    for subject in subjects:
        mine = by_subject.get(subject, {})
        keys: set[str] = set()
        for label, by_key in mine.items():
            if label != period_label:
                keys.update(by_key)
        derived_here: dict[str, Derived] = {}
        rolled = _parts_of(family, mine)
        for key in keys:
            if additive is not None and not additive.get(key, False):
                continue
            derived = _derive(family, mine, key, rolled, weigh)
            if derived is not None:
                derived_here[key] = derived
        if derived_here:
            out[subject] = derived_here
    return out
