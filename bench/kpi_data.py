"""The data set of the KPI benchmark: an organization of 1,000 reps in 100 teams under 10
regions, their targets for each quarter (or month) of the measured quarter's fiscal year, and
(at scale 1) 5 M deals and 20 M activities over seven quarters, written straight into Charter's
fact tables with `sqlite3` executemany.

Rows come in the order a CRM accumulates them (by creation time), so the tables and their
indexes grow at the end and a multi-gigabyte load stays fast; nothing is held in memory but the
row being written. The same seed and scale always give the same rows.

Also: the 10,000 "late" deals of the freshness measurement, as a Salesforce-shaped CSV for the
real importer, and the export of the stored facts that DuckDB loads.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.generate import DEAL_HEADERS, owner_names

SEED = 5151
DEALS = 5_000_000
ACTIVITIES = 20_000_000
PEOPLE = 1_000
REGIONS = 10
TEAMS_PER_REGION = 10
# The history ends on the last day of the measured quarter, which is also "today" for the
# scorecards: a full quarter of figures, with pace and forecast at the end of the period.
FIRST_DAY = dt.date(2023, 1, 1)
LAST_DAY = dt.date(2024, 9, 30)
QUARTER = "2024-Q3"
QUARTER_START = dt.date(2024, 7, 1)
TIME_ZONE = "America/New_York"
# The KPIs measured (the built-in library minus CSAT, which these facts do not feed).
KPI_KEYS = (
    "revenue_won",
    "deals_won",
    "deals_lost",
    "win_rate",
    "avg_deal_size",
    "avg_cycle_days",
    "pipeline_created",
    "activities_calls",
    "activities_emails",
    "activities_meetings",
)
# Target granularities (`write_targets`).
QUARTERLY = "quarterly"
MONTHLY = "monthly"
# KPIs whose target is a rate or an average: the same however long the period.
_NOT_SUMMED = frozenset({"win_rate", "avg_deal_size", "avg_cycle_days"})
UNMATCHED_SHARE = 0.01
_SOURCE = "salesforce"
_STAMP = "2024-10-01 06:00:00"
_SF_STAGE = {"open": "Negotiation/Review", "won": "Closed Won", "lost": "Closed Lost"}
_ACCOUNTS = [
    f"{a} {b}"
    for a in ("Summit", "Cascade", "Granite", "Harbor", "Aspen", "Prairie", "Glacier", "Redwood")
    for b in ("Outfitters", "Supply", "Trading Co", "Sports", "Retail Group", "Co-op")
]
_LEAD_SOURCES = ("Web", "Partner", "Trade Show", "Referral")
# Activity kinds and their cumulative shares.
_KINDS = (
    ("call", "Call", 0.40),
    ("email", "Email", 0.75),
    ("meeting", "Meeting", 0.87),
    ("demo", "Demo", 0.92),
    ("task", "Task", 0.97),
    ("other", "Note", 1.0),
)


@dataclass(frozen=True)
class Sizes:
    deals: int
    activities: int

    @classmethod
    def at(cls, scale: float) -> Sizes:
        return cls(deals=max(1, round(DEALS * scale)), activities=max(1, round(ACTIVITIES * scale)))


@dataclass(frozen=True)
class Seller:
    pk: int
    raw: str  # the owner as the CRM writes it
    key: str  # normalised, as the importer stores it


def _key(raw: str) -> str:
    return " ".join(raw.split()).lower()


def create_org(password: str) -> str:
    """The organization, its teams, the reps (the first with a login, for the dashboard) and
    their quarterly targets (`write_targets`), through the ORM; returns the login's email."""
    from charter.accounts.models import User
    from charter.org.models import Organization, Person, Role, Team

    org = Organization.objects.create(
        name="Bench Outdoor Co", reporting_currency="USD", time_zone=TIME_ZONE
    )
    regions = [Team.objects.create(org=org, name=f"Region {r + 1}") for r in range(REGIONS)]
    teams = [
        Team.objects.create(org=org, name=f"Team {r + 1}.{t + 1}", parent=region)
        for r, region in enumerate(regions)
        for t in range(TEAMS_PER_REGION)
    ]
    per_team = PEOPLE // len(teams)
    Person.objects.bulk_create(
        Person(
            org=org,
            full_name=name,
            email=f"rep{i + 1}@bench.test",
            role=Role.REP,
            team=teams[i // per_team],
        )
        for i, name in enumerate(owner_names(PEOPLE))
    )
    first = Person.objects.filter(org=org).order_by("pk").first()
    assert first is not None
    first.user = User.objects.create_user(first.email, password)
    first.save(update_fields=["user"])
    write_targets(org, QUARTERLY)
    return first.email


def target_periods(org: Any, granularity: str) -> list[Any]:
    """The quarters, or the months, of the measured quarter's fiscal year."""
    from charter.core.periods import YEAR, parts_of, period_containing

    start_month = org.fiscal_year_start_month
    year = period_containing(QUARTER_START, YEAR, start_month)
    quarters = parts_of(year, start_month)
    if granularity == QUARTERLY:
        return quarters
    return [month for quarter in quarters for month in parts_of(quarter, start_month)]


def write_targets(org: Any, granularity: str) -> None:
    """Every rep's target for each measured KPI in each quarter (QUARTERLY) or each month
    (MONTHLY) of the measured quarter's fiscal year, in place of any the org had: the
    scorecards of the quarter and of the year then read set targets, or months' added up."""
    from django.db import connection, transaction

    from charter.kpis.models import KpiDefinition, Target, TargetRevision
    from charter.kpis.scoring import Revision, day_total
    from charter.org.models import Person

    periods = target_periods(org, granularity)
    # A third of a quarter's target a month: the same scale of figures either way.
    divisor = 3 if granularity == MONTHLY else 1
    rng = random.Random(SEED + 7)
    kpis = {d.key: d for d in KpiDefinition.objects.filter(org=org, key__in=KPI_KEYS)}
    people = list(Person.objects.filter(org=org).order_by("pk"))
    with transaction.atomic():
        # Revisions are append-only in Charter; a bench data set is rewritten wholesale.
        with connection.cursor() as cursor:
            targets_table = connection.ops.quote_name(Target._meta.db_table)
            revisions_table = connection.ops.quote_name(TargetRevision._meta.db_table)
            cursor.execute(
                f"DELETE FROM {revisions_table} WHERE target_id IN "
                f"(SELECT id FROM {targets_table} WHERE org_id = %s)",
                [org.pk],
            )
            cursor.execute(f"DELETE FROM {targets_table} WHERE org_id = %s", [org.pk])
        targets = Target.objects.bulk_create(
            Target(
                org=org,
                kpi=kpis[key],
                person=person,
                period_label=period.label,
                period_kind=period.kind,
                period_start=period.start,
                period_end=period.end,
            )
            for period in periods
            for person in people
            for key in KPI_KEYS
        )
        by_label = {period.label: period for period in periods}
        revisions = []
        for target in targets:
            period = by_label[target.period_label]
            value = _target_value(target.kpi.key, rng)
            if target.kpi.key not in _NOT_SUMMED:
                value = Decimal(round(value / divisor))
            mine = [
                TargetRevision(
                    target=target, value=value, effective_from=period.start, reason="Target set"
                )
            ]
            # One target in ten changes mid-period, as territories move.
            if rng.random() < 0.1:
                mine.append(
                    TargetRevision(
                        target=target,
                        value=(value * Decimal("1.1")).quantize(Decimal("0.0001")),
                        effective_from=period.start + dt.timedelta(days=period.days // 2),
                        reason="Territory change",
                    )
                )
            # What `kpis.services.target_set` keeps with every revision.
            target.day_total = day_total(
                [Revision(r.value, r.effective_from) for r in mine], period
            )
            revisions += mine
        TargetRevision.objects.bulk_create(revisions, batch_size=2000)
        Target.objects.bulk_update(targets, ["day_total"], batch_size=2000)


def _target_value(key: str, rng: random.Random) -> Decimal:
    ranges = {
        "revenue_won": (2_000_000, 5_000_000),
        "deals_won": (100, 250),
        "deals_lost": (200, 500),
        "win_rate": (25, 45),
        "avg_deal_size": (15_000, 25_000),
        "avg_cycle_days": (40, 80),
        "pipeline_created": (6_000_000, 14_000_000),
        "activities_calls": (1_000, 1_600),
        "activities_emails": (800, 1_400),
        "activities_meetings": (250, 450),
    }
    low, high = ranges[key]
    return Decimal(rng.randint(low, high))


def sellers(db: sqlite3.Connection, org_id: int) -> list[Seller]:
    rows = db.execute(
        "SELECT id, full_name FROM org_person WHERE org_id = ? ORDER BY id", (org_id,)
    ).fetchall()
    return [Seller(pk, name, _key(name)) for pk, name in rows]


_DEAL_COLUMNS = (
    "org_id, source, external_id, owner_id, owner_raw, owner_key, import_run_id, created_at, "
    "updated_at, stage, raw_stage, amount, currency, amount_reporting, created_date, close_date, "
    "account, product, lead_source, name"
)
_ACTIVITY_COLUMNS = (
    "org_id, source, external_id, owner_id, owner_raw, owner_key, import_run_id, created_at, "
    "updated_at, kind, raw_kind, occurred_at, duration_minutes, outcome, subject"
)


def _owner(rng: random.Random, people: list[Seller]) -> tuple[int | None, str, str]:
    # Real exports carry people who have left: their rows stay unmatched (no owner).
    if rng.random() < UNMATCHED_SHARE:
        raw = f"Former Rep {rng.randint(1, 5)}"
        return None, raw, _key(raw)
    seller = people[rng.randrange(len(people))]
    return seller.pk, seller.raw, seller.key


def deal_rows(org_id: int, people: list[Seller], count: int) -> Iterator[tuple[Any, ...]]:
    """`count` deals created evenly over the history; a deal closes 7 to 120 days after it is
    created, and one that would close after the last day is still open."""
    rng = random.Random(SEED)
    span = (LAST_DAY - FIRST_DAY).days + 1
    for i in range(count):
        owner_id, raw, key = _owner(rng, people)
        created = FIRST_DAY + dt.timedelta(days=i * span // count)
        close = created + dt.timedelta(days=rng.randint(7, 120))
        roll = rng.random()
        stage = "open" if roll < 0.2 or close > LAST_DAY else ("won" if roll < 0.5 else "lost")
        cents = round(rng.lognormvariate(9.6, 0.8) * 100)
        amount = f"{cents // 100}.{cents % 100:02d}"
        account = _ACCOUNTS[i % len(_ACCOUNTS)]
        yield (
            org_id, _SOURCE, f"006D{i:09d}", owner_id, raw, key, None, _STAMP, _STAMP, stage,
            _SF_STAGE[stage], amount, "USD", amount, created.isoformat(), close.isoformat(),
            account, "", _LEAD_SOURCES[i % 4], f"{account} deal {i}",
        )  # fmt: skip


def activity_rows(org_id: int, people: list[Seller], count: int) -> Iterator[tuple[Any, ...]]:
    """`count` activities at instants spread evenly (with jitter) over the history in UTC, so
    some fall on the other side of a local midnight, a month's or a quarter's edge."""
    rng = random.Random(SEED + 1)
    start = dt.datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day)
    seconds = ((LAST_DAY - FIRST_DAY).days + 1) * 86_400
    step = seconds / count
    day_text = ""
    day_index = -1
    for i in range(count):
        at = min(int(i * step + rng.random() * step), seconds - 1)
        index, second = divmod(at, 86_400)
        if index != day_index:
            day_index = index
            day_text = (start + dt.timedelta(days=index)).strftime("%Y-%m-%d")
        hour, rest = divmod(second, 3_600)
        stamp = f"{day_text} {hour:02d}:{rest // 60:02d}:{rest % 60:02d}"
        owner_id, raw, key = _owner(rng, people)
        roll = rng.random()
        kind, raw_kind = next((k, r) for k, r, share in _KINDS if roll < share)
        minutes = None if kind == "email" else 5 + i % 56
        yield (
            org_id, _SOURCE, f"00TA{i:010d}", owner_id, raw, key, None, _STAMP, _STAMP, kind,
            raw_kind, stamp, minutes, "", "",
        )  # fmt: skip


def write_facts(
    path: Path, org_id: int, sizes: Sizes, progress: Any = None
) -> dict[str, float | int]:
    """Insert the deals and activities with plain executemany, a transaction per chunk."""
    import time

    db = sqlite3.connect(str(path), isolation_level=None)
    # Loading bench data, not measuring a write path: no journal, and a big page cache so the
    # growing indexes stay in memory. The file is back in WAL mode for Charter afterwards.
    db.executescript(
        "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-2000000; "
        "PRAGMA foreign_keys=OFF;"
    )
    people = sellers(db, org_id)
    # Indexes built once over the loaded rows (a sort) instead of grown row by row: the same
    # indexes, from the schema's own statements, in a fraction of the time.
    indexes = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('crm_deal', 'crm_activity')"
    ).fetchall()
    for name, _sql in indexes:
        db.execute(f'DROP INDEX "{name}"')
    timings: dict[str, float | int] = {}
    for table, columns, rows, total in (
        ("crm_deal", _DEAL_COLUMNS, deal_rows(org_id, people, sizes.deals), sizes.deals),
        (
            "crm_activity",
            _ACTIVITY_COLUMNS,
            activity_rows(org_id, people, sizes.activities),
            sizes.activities,
        ),
    ):
        marks = ", ".join("?" * len(columns.split(",")))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
        start = time.perf_counter()
        done = 0
        while done < total:
            chunk = min(500_000, total - done)
            db.execute("BEGIN")
            db.executemany(sql, _take(rows, chunk))
            db.execute("COMMIT")
            done += chunk
            if progress is not None:
                progress(table, done, total, time.perf_counter() - start)
        timings[f"{table}_seconds"] = round(time.perf_counter() - start, 1)
    start = time.perf_counter()
    for _name, sql in indexes:
        db.execute(sql)
    timings["index_seconds"] = round(time.perf_counter() - start, 1)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("ANALYZE")
    db.close()
    return timings


def _take(rows: Iterator[tuple[Any, ...]], count: int) -> Iterator[tuple[Any, ...]]:
    for _ in range(count):
        yield next(rows)


# -- the freshness import ------------------------------------------------------------------


def late_deals_csv(path: Path, names: list[str], count: int, batch: int) -> None:
    """`count` deals created and closed in the quarter's last weeks, in the Salesforce export
    shape, spread over every rep (so every rep's scorecard is affected). `batch` makes the ids
    new on every run against the same database."""
    rng = random.Random(SEED + 100 + batch)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(DEAL_HEADERS["salesforce"])
        for i in range(count):
            created = QUARTER_START + dt.timedelta(days=rng.randrange(60))
            close = created + dt.timedelta(days=rng.randint(7, 120))
            close = min(close, LAST_DAY)
            roll = rng.random()
            stage = "open" if roll < 0.2 else ("won" if roll < 0.5 else "lost")
            amount = f"{round(rng.lognormvariate(9.6, 0.8), 2):.2f}"
            account = _ACCOUNTS[i % len(_ACCOUNTS)]
            writer.writerow(
                [
                    f"006L{batch:03d}{i:08d}",
                    f"{account} late deal {i}",
                    names[i % len(names)],
                    _SF_STAGE[stage],
                    "true" if stage == "won" else "false",
                    "false" if stage == "open" else "true",
                    amount,
                    "USD",
                    f"{created.isoformat()}T14:00:00.000Z",
                    close.isoformat(),
                    account,
                    _LEAD_SOURCES[i % 4],
                ]
            )


# -- the rows DuckDB reads -----------------------------------------------------------------

DUCK_DEALS = {
    "id": "BIGINT",
    "owner_id": "BIGINT",
    "stage": "VARCHAR",
    "amount_reporting": "DECIMAL(18,2)",
    "created_date": "DATE",
    "close_date": "DATE",
}
DUCK_ACTIVITIES = {"owner_id": "BIGINT", "kind": "VARCHAR", "occurred_at": "TIMESTAMP"}


def export_deals(db_path: Path, out: Path, after_id: int = 0) -> int:
    """The stored deals (id > after_id) as CSV, exactly as SQLite holds them (the amount in the
    column's two decimals); returns the highest id written."""
    return _export(
        db_path,
        out,
        "SELECT id, owner_id, stage, printf('%.2f', amount_reporting), created_date, close_date "
        "FROM crm_deal WHERE id > ? ORDER BY id",
        after_id,
        id_column=0,
    )


def export_activities(db_path: Path, out: Path) -> int:
    return _export(
        db_path, out, "SELECT owner_id, kind, occurred_at FROM crm_activity WHERE id > ?", 0
    )


def _export(db_path: Path, out: Path, sql: str, after_id: int, id_column: int = -1) -> int:
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    highest = after_id
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        cursor = db.execute(sql, (after_id,))
        while rows := cursor.fetchmany(100_000):
            writer.writerows(rows)
            if id_column >= 0:
                highest = max(highest, rows[-1][id_column])
    db.close()
    return highest
