"""Learning compliance of 1,000 people against 30 requirements and 200,000 completions: the
app's compliance selectors (`rules_on` and `compliance_of`, what the team pages, the heatmap,
the API and the KPI run) next to one plain SQL query computing the same figures, in the same
run, on the same database. Both give, per person and item asked of them, the state, the due day
and, for hours, the hours done and asked; the run stops if they differ anywhere.

    python -m bench learning_compliance
    python -m bench.learning_compliance --people 200 --completions 40000   # a quick look

Target: the selectors within 2x the query's time (the best of a few runs each).
The requirements are company-wide, per role and per team (a team's reach includes the teams
below it): trainings due on a date or within days of the hire date, and hours per month,
quarter and fiscal year prorated for people hired during the period; some people have no hire
date, some joined after a due date, some joined this period.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from typing import Any

DEFAULT_PEOPLE = 1_000
DEFAULT_REQUIREMENTS = 30
DEFAULT_COMPLETIONS = 200_000
TRAININGS = 150
TEAMS = 12
RUNS = 3
DAY = dt.date(2026, 5, 20)
FISCAL_START = 2  # fiscal years from February: the periods do not follow the calendar
DUE_SOON_DAYS = 30

Row = tuple[int, int, int, str, str | None, int | None, int | None]


def _cents(value: Decimal | None) -> int | None:
    return None if value is None else int((value * 100).to_integral_value())


def prepare(people: int, requirements: int, completions: int, seed: int = 14) -> Any:
    """A migrated database holding the organization; returns it."""
    from django.core.management import call_command

    from charter.learning.models import (
        Completion,
        DueRule,
        RequiredTraining,
        Requirement,
        RequirementVersion,
        Scope,
        Source,
        Status,
        Training,
    )
    from charter.org.models import Organization, Person, Role, Team

    rng = random.Random(seed)
    call_command("migrate", verbosity=0, interactive=False)
    org = Organization.objects.create(name="Bench Co", fiscal_year_start_month=FISCAL_START)
    top = Team.objects.create(org=org, name="Sales")
    regions = [Team.objects.create(org=org, name=f"Region {i}", parent=top) for i in range(3)]
    teams = [top, *regions] + [
        Team.objects.create(org=org, name=f"Team {i}", parent=regions[i % 3])
        for i in range(TEAMS - 4)
    ]
    roles = [Role.REP] * 8 + [Role.MANAGER]
    rows = []
    for i in range(people):
        hired: dt.date | None = DAY - dt.timedelta(days=rng.randint(0, 2000))
        if i % 25 == 0:
            hired = None  # "within days of the hire date" cannot apply
        rows.append(
            Person(
                org=org,
                full_name=f"Person {i:05}",
                email=f"p{i}@bench.test",
                role=rng.choice(roles),
                team=rng.choice(teams[1:]),
                hire_date=hired,
            )
        )
    Person.objects.bulk_create(rows)
    trainings = Training.objects.bulk_create(
        Training(org=org, title=f"Training {i:03}", expected_hours=Decimal("2"))
        for i in range(TRAININGS)
    )
    periods = ["month", "quarter", "year"]
    for i in range(requirements):
        scope = [Scope.COMPANY, Scope.ROLE, Scope.TEAM][i % 3]
        requirement = Requirement.objects.create(
            org=org,
            name=f"Requirement {i:02}",
            scope=scope,
            role=rng.choice([Role.REP, Role.MANAGER]) if scope == Scope.ROLE else "",
            team=rng.choice(teams[:4]) if scope == Scope.TEAM else None,
        )
        hours = i % 5 == 0
        version = RequirementVersion.objects.create(
            requirement=requirement,
            effective_from=DAY - dt.timedelta(days=400),
            hours=Decimal(rng.choice(["4", "8", "12.5"])) if hours else None,
            hours_period=periods[i % 3] if hours else "",
            reason="Bench",
        )
        # A later version not in effect yet: the selectors and the query both skip it.
        RequirementVersion.objects.create(
            requirement=requirement,
            effective_from=DAY + dt.timedelta(days=30),
            hours=Decimal("99"),
            hours_period="month",
            reason="Next year",
        )
        for training in rng.sample(trainings, 0 if hours else rng.randint(1, 3)):
            if rng.random() < 0.5:
                RequiredTraining.objects.create(
                    version=version, training=training, due_rule=DueRule.ABSOLUTE,
                    due_date=DAY + dt.timedelta(days=rng.randint(-300, 90)),
                )  # fmt: skip
            else:
                RequiredTraining.objects.create(
                    version=version, training=training, due_rule=DueRule.AFTER_HIRE,
                    due_days=rng.choice([30, 90, 365]),
                )  # fmt: skip
    ids = list(Person.objects.filter(org=org).values_list("id", flat=True))
    seen: set[tuple[int, int, dt.date]] = set()
    batch: list[Completion] = []
    while len(seen) < completions:
        key = (
            rng.choice(ids),
            rng.choice(trainings).pk,
            DAY - dt.timedelta(days=rng.randint(-20, 730)),
        )
        if key in seen:
            continue
        seen.add(key)
        batch.append(
            Completion(
                org=org, person_id=key[0], training_id=key[1], completed_on=key[2],
                hours=Decimal(rng.choice(["0.5", "1", "1.25", "2", "3.5", "6"])),
                source=Source.IMPORT,
                status=Status.APPROVED if rng.random() < 0.9 else Status.PENDING,
            )
        )  # fmt: skip
        if len(batch) == 10_000:
            Completion.objects.bulk_create(batch)
            batch = []
    Completion.objects.bulk_create(batch)
    return org


def charter_figures(org_id: int) -> list[Row]:
    """What the app computes, as the rows the query returns."""
    from charter.learning.selectors import compliance_of, rules_on
    from charter.org.models import Person

    rules = rules_on(org_id, DAY)
    people = list(Person.objects.filter(org_id=org_id, is_active=True).select_related("org"))
    out: list[Row] = []
    for person_id, items in compliance_of(people, DAY, rules).items():
        for i in items:
            out.append(
                (person_id, i.requirement_id or 0, i.training_id or 0, i.state,
                 i.due.isoformat() if i.due else None, _cents(i.hours_done),
                 _cents(i.hours_asked))
            )  # fmt: skip
    return sorted(out, key=_order)


def _order(row: Row) -> tuple[Any, ...]:
    return tuple("" if v is None else v for v in row)


def _periods(start_month: int) -> list[tuple[str, str, str, int]]:
    from charter.core.periods import period_containing

    found = []
    for kind in ("month", "quarter", "year"):
        p = period_containing(DAY, kind, start_month)
        found.append((kind, p.start.isoformat(), p.end.isoformat(), p.days))
    return found


def _sql(vendor: str) -> str:
    """One query: the version of each requirement in effect, the people each reaches (team
    requirements through the team tree), trainings with their due day and first approved
    completion, hours with what is asked (prorated, half-up to the cent) and done."""
    if vendor == "postgresql":
        add = "({d} + {n} * INTERVAL '1 day')::date"
        days = "({a}::date - {b}::date)"
        day = "%(day)s::date"
        typed = "CAST(%({})s AS date)"
    else:
        typed = "%({})s"
        add = "date({d}, '+' || {n} || ' days')"
        days = "CAST(julianday({a}) - julianday({b}) AS INTEGER)"
        day = "%(day)s"
    due_hire = add.format(d="p.hire_date", n="rt.due_days")

    def state(done: str, due: str) -> str:
        return (
            f"CASE WHEN {done} THEN 'done' WHEN {day} > {due} THEN 'overdue' "
            f"WHEN {days.format(a=due, b=day)} <= {DUE_SOON_DAYS} THEN 'due_soon' ELSE 'due' END"
        )

    hired_in = "(p.hire_date IS NOT NULL AND p.hire_date > pr.start_day)"
    asked = (
        f"CASE WHEN {hired_in} THEN (2 * h.cents * ({days.format(a='pr.end_day', b='p.hire_date')}"
        " + 1) + pr.days) / (2 * pr.days) ELSE h.cents END"
    )
    return f"""
WITH RECURSIVE
current_version AS (
    SELECT v.id, v.requirement_id, v.is_active, v.hours, v.hours_period
    FROM learning_requirementversion v JOIN learning_requirement r ON r.id = v.requirement_id
    WHERE r.org_id = %(org)s AND v.id = (
        SELECT v2.id FROM learning_requirementversion v2
        WHERE v2.requirement_id = v.requirement_id AND v2.effective_from <= {day}
        ORDER BY v2.effective_from DESC, v2.id DESC LIMIT 1)
),
chain(person_id, team_id) AS (
    SELECT p.id, p.team_id FROM org_person p
    WHERE p.org_id = %(org)s AND p.is_active AND p.team_id IS NOT NULL
    UNION
    SELECT c.person_id, t.parent_id FROM chain c JOIN org_team t ON t.id = c.team_id
    WHERE t.parent_id IS NOT NULL
),
reach AS (
    SELECT p.id AS person_id, cv.id AS version_id, cv.requirement_id, cv.hours, cv.hours_period
    FROM current_version cv JOIN learning_requirement r ON r.id = cv.requirement_id
    JOIN org_person p ON p.org_id = %(org)s AND p.is_active
    WHERE cv.is_active AND (
        r.scope = 'company' OR (r.scope = 'role' AND p.role = r.role)
        OR (r.scope = 'team' AND EXISTS (
            SELECT 1 FROM chain c WHERE c.person_id = p.id AND c.team_id = r.team_id)))
),
approved AS (
    SELECT person_id, training_id, completed_on, hours FROM learning_completion
    WHERE org_id = %(org)s AND status = 'approved' AND completed_on <= {day}
),
first_done AS (
    SELECT person_id, training_id, MIN(completed_on) AS first_day FROM approved
    GROUP BY person_id, training_id
),
periods(kind, start_day, end_day, days) AS ({
        " UNION ALL ".join(
            f"SELECT %(k{i})s, {typed.format(f's{i}')}, {typed.format(f'e{i}')}, %(d{i})s"
            for i in range(3)
        )
    }),
hours_rule AS (
    SELECT rc.person_id, rc.requirement_id, CAST(ROUND(rc.hours * 100) AS INTEGER) AS cents,
           rc.hours_period
    FROM reach rc WHERE rc.hours IS NOT NULL
),
trainings AS (
    SELECT rc.person_id, rc.requirement_id, rt.training_id,
        CASE
            WHEN rt.due_rule = 'after_hire' AND p.hire_date IS NULL THEN 'not_applicable'
            WHEN rt.due_rule = 'absolute' AND p.hire_date IS NOT NULL
                 AND p.hire_date > rt.due_date THEN 'not_applicable'
            ELSE {
        state(
            "fd.first_day IS NOT NULL",
            f"(CASE WHEN rt.due_rule = 'after_hire' THEN {due_hire} ELSE rt.due_date END)",
        )
    }
        END AS state,
        CASE WHEN rt.due_rule = 'after_hire' THEN {due_hire} ELSE rt.due_date END AS due,
        CAST(NULL AS INTEGER) AS done_cents, CAST(NULL AS INTEGER) AS asked_cents
    FROM reach rc JOIN learning_requiredtraining rt ON rt.version_id = rc.version_id
    JOIN org_person p ON p.id = rc.person_id
    LEFT JOIN first_done fd ON fd.person_id = rc.person_id AND fd.training_id = rt.training_id
),
hours_items AS (
    SELECT h.person_id, h.requirement_id, 0 AS training_id,
        CASE WHEN p.hire_date IS NOT NULL AND p.hire_date > pr.end_day THEN 'not_applicable'
             ELSE {
        state(f"COALESCE(SUM(CAST(ROUND(a.hours * 100) AS INTEGER)), 0) >= {asked}", "pr.end_day")
    }
        END AS state,
        pr.end_day AS due,
        CASE WHEN p.hire_date IS NOT NULL AND p.hire_date > pr.end_day THEN NULL
             ELSE COALESCE(SUM(CAST(ROUND(a.hours * 100) AS INTEGER)), 0) END AS done_cents,
        CASE WHEN p.hire_date IS NOT NULL AND p.hire_date > pr.end_day THEN NULL
             ELSE {asked} END AS asked_cents
    FROM hours_rule h JOIN periods pr ON pr.kind = h.hours_period
    JOIN org_person p ON p.id = h.person_id
    LEFT JOIN approved a ON a.person_id = h.person_id
         AND a.completed_on >= pr.start_day AND a.completed_on <= pr.end_day
    GROUP BY h.person_id, h.requirement_id, h.cents, pr.start_day, pr.end_day, pr.days,
             p.hire_date
)
SELECT person_id, requirement_id, training_id, state, due, done_cents, asked_cents
FROM trainings
UNION ALL
SELECT person_id, requirement_id, training_id, state, due, done_cents, asked_cents
FROM hours_items
"""


def sql_figures(org_id: int, start_month: int) -> list[Row]:
    from django.db import connection

    params: dict[str, Any] = {"org": org_id, "day": DAY.isoformat()}
    for i, (kind, start, end, days) in enumerate(_periods(start_month)):
        params.update({f"k{i}": kind, f"s{i}": start, f"e{i}": end, f"d{i}": days})
    with connection.cursor() as cursor:
        cursor.execute(_sql(connection.vendor), params)
        fetched = cursor.fetchall()
    out: list[Row] = []
    for person_id, requirement_id, training_id, state, due, done, asked in fetched:
        # Only the text of the day differs between databases (a date or an ISO string).
        due_text = due.isoformat() if isinstance(due, dt.date) else due
        out.append((person_id, requirement_id, training_id, state, due_text, done, asked))
    return sorted(out, key=_order)


def _best(func: Any) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(RUNS):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def run(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench learning_compliance")
    parser.add_argument("--people", type=int, default=DEFAULT_PEOPLE)
    parser.add_argument("--requirements", type=int, default=DEFAULT_REQUIREMENTS)
    parser.add_argument("--completions", type=int, default=DEFAULT_COMPLETIONS)
    args, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    start = time.perf_counter()
    org = prepare(args.people, args.requirements, args.completions)
    prepared_s = time.perf_counter() - start
    charter_s, mine = _best(lambda: charter_figures(org.pk))
    sql_s, theirs = _best(lambda: sql_figures(org.pk, org.fiscal_year_start_month))
    if mine != theirs:
        first = next((a, b) for a, b in zip(mine, theirs, strict=False) if a != b)
        raise SystemExit(
            f"the selectors and the query disagree: {len(mine)} rows against {len(theirs)}; "
            f"first difference {first}"
        )
    states = {s: sum(1 for r in mine if r[3] == s) for s in sorted({r[3] for r in mine})}
    result = {
        "database": connection.vendor,
        "people": args.people,
        "requirements": args.requirements,
        "completions": args.completions,
        "items_compared": len(mine),
        "items_by_state": states,
        "identical": True,
        "prepare_seconds": round(prepared_s, 1),
        "charter_selectors_seconds": round(charter_s, 3),
        "plain_sql_seconds": round(sql_s, 3),
        "ratio_charter_to_sql": round(charter_s / sql_s, 2),
    }
    connection.close()
    return result


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "charter.settings")
    os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="charter-bench-"))
    os.environ.setdefault("TASKS_BACKEND", "immediate")
    os.environ["CHARTER_ENV_FILE"] = os.devnull
    import django

    django.setup()
    for key, value in run().items():
        print(f"{key:<32} {value}")
