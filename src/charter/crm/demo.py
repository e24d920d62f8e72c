"""The demo company's CRM history: two years of deals, activities and CSAT responses for every
rep (and a few strategic deals for managers), plus one CRM owner nobody has matched yet.

The numbers are shaped like a real sales floor so dashboards have something to say: reps differ
(a per-rep skill drawn once), enterprise deals are fewer and bigger, deals slip to quarter ends,
summer is slow, about a quarter of closed deals are won. Rows are written through the upsert
an import uses (`crm.services.facts_upsert`), which keeps the KPI rollups and the data version
current as it writes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db.models import Model
from django.utils import timezone

from charter.core.demo import DemoContext
from charter.core.registry import demo_builder
from charter.crm import services
from charter.crm.models import Activity, ActivityKind, CsatResponse, Deal, DealStage
from charter.org.services import normalise_alias

DAYS = 730
# A CRM user who sold for the company but is not (yet) in the org chart under a name Charter
# can match: the admin resolves them on the unmatched-owners page.
UNMATCHED_OWNER = "J. Okafor"
UNMATCHED_DEALS = 40

ACCOUNT_FIRST = [
    "Summit", "Ridgeline", "Cascade", "Timber", "Granite", "Northstar", "Bluewater", "Redwood",
    "Aspen", "Glacier", "Prairie", "Harbor", "Canyon", "Evergreen", "Lakeside", "Highland",
    "Coastal", "Frontier", "Pioneer", "Silverpine",
]  # fmt: skip
ACCOUNT_SECOND = [
    "Outfitters", "Sports", "Trading Co", "Supply", "Adventure Stores", "Gear Exchange",
    "Retail Group", "Mountain Shop", "Outdoor Co-op", "Expeditions",
]  # fmt: skip
PRODUCTS = {
    "enterprise": ["Private-label program", "Store-in-store fixtures", "Annual wholesale contract"],
    "other": ["Tents and shelters", "Technical apparel", "Packs and bags", "Footwear"],
}
LEAD_SOURCES = ["Inbound", "Outbound", "Partner", "Trade show", "Referral"]
# (kind, share of a rep's activities, duration range in minutes or None, outcomes)
ACTIVITY_MIX: list[tuple[str, float, tuple[int, int] | None, list[str]]] = [
    (ActivityKind.CALL, 0.40, (4, 35), ["Connected", "Left voicemail", "No answer"]),
    (ActivityKind.EMAIL, 0.34, None, ["Sent", "Replied"]),
    (ActivityKind.MEETING, 0.13, (30, 60), ["Held", "Rescheduled"]),
    (ActivityKind.DEMO, 0.08, (45, 90), ["Held", "No-show"]),
    (ActivityKind.TASK, 0.05, None, ["Done"]),
]


@dataclass
class Seller:
    """Someone deals are generated for, with how they sell."""

    key: str
    person: Any
    owner_raw: str
    enterprise: bool
    skill: float
    # Deals started per week, before seasonality.
    deal_rate: float
    activity_rate: tuple[int, int]
    first_day: dt.date


class _Ids:
    """Salesforce-shaped ids: a key prefix, then a 12-character record id from a counter, so
    every run produces the same ids without spending random draws on them."""

    ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.n = 0

    def next(self) -> str:
        self.n += 1
        n, digits = self.n, []
        while n:
            n, digit = divmod(n, 62)
            digits.append(self.ALPHABET[digit])
        return self.prefix + "4W0000" + "".join(reversed(digits)).rjust(6, "0")


def _season(day: dt.date) -> float:
    """How busy a week is: a summer dip, and a December slowdown after the Q4 push."""
    if day.month in (7, 8):
        return 0.65
    if day.month == 12 and day.day > 20:
        return 0.4
    return 1.0


def _quarter_end(day: dt.date) -> dt.date:
    month = ((day.month - 1) // 3) * 3 + 3
    first_next = dt.date(day.year + (month == 12), month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def _poisson(rng: Any, mean: float) -> int:
    # Knuth's method: fine for the small weekly means used here.
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _sellers(ctx: DemoContext) -> list[Seller]:
    start = ctx.days_ago(DAYS)
    sellers = []
    for key, person in sorted(ctx.people.items()):
        role = key.split(".")[0]
        if role not in ("rep", "manager"):
            continue
        enterprise = "enterprise" in key
        skill = min(1.8, max(0.45, ctx.rng.lognormvariate(0, 0.35)))
        if role == "rep":
            rate = (1.1 if enterprise else 2.4) * (0.7 + 0.3 * skill)
            activities = (8, 15)
        else:
            # Managers carry a few strategic accounts themselves.
            rate, activities = 0.25, (1, 3)
        hired = person.hire_date or start
        sellers.append(
            Seller(
                key=key,
                person=person,
                owner_raw=person.full_name,
                enterprise=enterprise,
                skill=skill,
                deal_rate=rate,
                activity_rate=activities,
                first_day=max(start, hired),
            )
        )
    return sellers


# A fact row as an importer hands it to the upsert: field names (owner by id) to clean values.
FactRow = dict[str, Any]


def _deal_rows(ctx: DemoContext, seller: Seller, ids: _Ids) -> Iterator[FactRow]:
    rng, today = ctx.rng, ctx.today
    median = 42_000 if seller.enterprise else 9_000
    win_rate = min(0.42, max(0.15, 0.26 + 0.12 * (seller.skill - 1.0)))
    products = PRODUCTS["enterprise" if seller.enterprise else "other"]
    week = seller.first_day
    owner_key = normalise_alias(seller.owner_raw)
    while week <= today:
        for _ in range(_poisson(rng, seller.deal_rate * _season(week))):
            created = week + dt.timedelta(days=rng.randint(0, 4))
            if created > today:
                continue
            cycle = rng.randint(40, 120) if seller.enterprise else rng.randint(20, 80)
            close = created + dt.timedelta(days=cycle)
            # Reps pull deals into the last weeks of the quarter to make the number.
            quarter_end = _quarter_end(close)
            pulled = quarter_end - dt.timedelta(days=rng.randint(0, 10))
            if rng.random() < 0.45 and close <= pulled <= created + dt.timedelta(days=120):
                close = pulled
            if close > today:
                stage = DealStage.OPEN
            else:
                stage = DealStage.WON if rng.random() < win_rate else DealStage.LOST
                if stage == DealStage.LOST:
                    close = max(created + dt.timedelta(days=7), close - dt.timedelta(cycle // 3))
            amount = Decimal(round(rng.lognormvariate(math.log(median), 0.6) * seller.skill**0.3))
            amount = max(Decimal(500), (amount / 100).quantize(Decimal(1)) * 100)
            account = f"{rng.choice(ACCOUNT_FIRST)} {rng.choice(ACCOUNT_SECOND)}"
            product = rng.choice(products)
            yield dict(
                external_id=ids.next(),
                owner_id=seller.person.pk if seller.person is not None else None,
                owner_raw=seller.owner_raw,
                owner_key=owner_key,
                stage=stage,
                raw_stage={
                    DealStage.OPEN: rng.choice(["Qualification", "Proposal", "Negotiation"]),
                    DealStage.WON: "Closed Won",
                    DealStage.LOST: "Closed Lost",
                }[stage],
                amount=amount,
                currency="USD",
                amount_reporting=amount,
                created_date=created,
                close_date=close,
                account=account,
                product=product,
                lead_source=rng.choice(LEAD_SOURCES),
                name=f"{account}: {product}",
            )
        week += dt.timedelta(days=7)


def _activity_rows(ctx: DemoContext, seller: Seller, ids: _Ids) -> Iterator[FactRow]:
    rng, today = ctx.rng, ctx.today
    kinds = [k for k, *_ in ACTIVITY_MIX]
    weights = [w for _, w, *_ in ACTIVITY_MIX]
    details = {k: (d, o) for k, _, d, o in ACTIVITY_MIX}
    owner_key = normalise_alias(seller.owner_raw)
    low, high = seller.activity_rate
    tz = timezone.get_default_timezone()
    # Start on a Monday so "per week" means a working week.
    week = seller.first_day - dt.timedelta(days=seller.first_day.weekday())
    while week <= today:
        count = round(rng.randint(low, high) * _season(week) * (0.85 + 0.15 * seller.skill))
        for kind in rng.choices(kinds, weights, k=count):
            day = week + dt.timedelta(days=rng.randint(0, 4))
            if day > today or day < seller.first_day:
                continue
            durations, outcomes = details[kind]
            at = dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.choice((0, 15, 30, 45))))
            account = f"{rng.choice(ACCOUNT_FIRST)} {rng.choice(ACCOUNT_SECOND)}"
            yield dict(
                external_id=ids.next(),
                owner_id=seller.person.pk if seller.person is not None else None,
                owner_raw=seller.owner_raw,
                owner_key=owner_key,
                kind=kind,
                raw_kind=str(kind).capitalize(),
                occurred_at=timezone.make_aware(at, tz),
                duration_minutes=rng.randint(*durations) if durations else None,
                outcome=rng.choice(outcomes),
                subject=f"{str(kind).capitalize()}: {account}",
            )
        week += dt.timedelta(days=7)


def _csat_rows(
    ctx: DemoContext, deals: list[FactRow], skills: dict[str, float]
) -> Iterator[FactRow]:
    """A survey after about two in three won deals; better reps get happier customers."""
    rng, today = ctx.rng, ctx.today
    n = 0
    for deal in deals:
        if deal["stage"] != DealStage.WON or deal["close_date"] is None or rng.random() > 0.65:
            continue
        day = deal["close_date"] + dt.timedelta(days=rng.randint(7, 30))
        if day > today:
            continue
        skill = skills.get(deal["owner_raw"], 1.0)
        mean = min(4.8, max(1.5, 3.3 + 0.9 * (skill - 1.0)))
        score = min(5, max(1, round(rng.gauss(mean, 0.9))))
        n += 1
        yield dict(
            external_id=f"CSAT-{n:06d}",
            owner_id=deal["owner_id"],
            owner_raw=deal["owner_raw"],
            owner_key=deal["owner_key"],
            score=Decimal(score),
            scale=5,
            date=day,
            account=deal["account"],
        )


def _unmatched(
    ctx: DemoContext, deal_ids: _Ids, activity_ids: _Ids
) -> tuple[list[FactRow], list[FactRow]]:
    """J. Okafor sold in the Americas before their CRM name was linked to anyone."""
    ghost = Seller(
        key="unmatched",
        person=None,
        owner_raw=UNMATCHED_OWNER,
        enterprise=False,
        skill=1.0,
        deal_rate=0.0,
        activity_rate=(6, 10),
        first_day=ctx.days_ago(DAYS),
    )
    # Enough weeks for about UNMATCHED_DEALS deals, ending today.
    weeks = 30
    ghost.first_day = ctx.days_ago(weeks * 7)
    # Seasons slow some weeks down; the rate makes up for it on average.
    ghost.deal_rate = UNMATCHED_DEALS / weeks / 0.85
    deals = list(_deal_rows(ctx, ghost, deal_ids))
    ghost.first_day = ctx.days_ago(8 * 7)  # their last two months of logged activity
    activities = list(_activity_rows(ctx, ghost, activity_ids))
    return deals, activities


@demo_builder("crm", order=30)
def build_crm(ctx: DemoContext) -> None:
    deal_ids, activity_ids = _Ids("006"), _Ids("00T")
    sellers = _sellers(ctx)
    deals: list[FactRow] = []
    activities: list[FactRow] = []
    for seller in sellers:
        deals.extend(_deal_rows(ctx, seller, deal_ids))
        activities.extend(_activity_rows(ctx, seller, activity_ids))
    ghost_deals, ghost_activities = _unmatched(ctx, deal_ids, activity_ids)
    deals.extend(ghost_deals)
    activities.extend(ghost_activities)
    skills = {s.owner_raw: s.skill for s in sellers}
    _upsert(ctx, Deal, "salesforce", deals)
    _upsert(ctx, Activity, "salesforce", activities)
    responses = list(_csat_rows(ctx, deals, skills))
    _upsert(ctx, CsatResponse, "survey", responses)
    won = sum(1 for d in deals if d["stage"] == DealStage.WON)
    ctx.log(
        f"demo: {len(deals):,} deals ({won:,} won), {len(activities):,} activities, "
        f"{len(responses):,} CSAT responses; {len(ghost_deals)} deals of unmatched CRM owner "
        f"{UNMATCHED_OWNER!r}"
    )


def _upsert(ctx: DemoContext, model: type[Model], source: str, rows: Sequence[FactRow]) -> None:
    """Write the rows as an import of them would, seller by seller: the upsert writes each chunk
    owner by owner, in the order of their ids, so one call per seller keeps the rows in the
    order they were drawn in (and with it their ids, the same for the same seed)."""
    for _owner, group in groupby(rows, key=itemgetter("owner_id")):
        services.facts_upsert(model=model, org=ctx.org, source=source, rows=group, run=None)
