"""The facts the explain tests share: Rick's, Rita's and Olga's deals, calls and CSAT
answers, worked out by hand in the tests, and the URLs of the explain pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from charter.conftest import deal_fact
from charter.crm import services as crm_services
from charter.crm.models import Activity, CsatResponse, Deal
from charter.kpis.selectors.calendar import period_of
from charter.org.models import Organization, Person

D = dt.date
UTC = dt.UTC
Q2 = "2017-Q2"


def _owner(person: Person) -> dict[str, Any]:
    return {"owner_id": person.pk, "owner_raw": person.full_name, "owner_key": ""}


def deal(
    eid: str,
    owner: Person,
    stage: str,
    amount: str,
    created: dt.date,
    closed: dt.date | None,
    name: str = "",
) -> dict[str, Any]:
    row = deal_fact(eid, owner, amount, created=created, closed=closed, stage=stage)
    return row | _owner(owner) | {"name": name or eid, "account": f"Account {eid}"}


def activity(eid: str, owner: Person, kind: str, at: dt.datetime) -> dict[str, Any]:
    return {"external_id": eid, **_owner(owner), "kind": kind, "occurred_at": at, "subject": eid}


def csat(eid: str, owner: Person, score: str, scale: int, day: dt.date) -> dict[str, Any]:
    return {
        "external_id": eid,
        **_owner(owner),
        "score": Decimal(score),
        "scale": scale,
        "date": day,
    }


def upsert(org: Organization, model: Any, rows: list[dict[str, Any]]) -> None:
    crm_services.facts_upsert(model=model, org=org, source="file", rows=rows, run=None)


@pytest.fixture
def facts(org: Organization, rep: Person, rep2: Person, other_team_rep: Person) -> Organization:
    """Rick (rep): in Q2 won 1,000 and 500, lost one; won 700 in Q3. Rita (rep2, same team):
    won 2,000 and lost one in Q2. Olga (other team): won 4,000 in Q2. Calls at the time-zone
    edges of New York, and two CSAT answers on different scales."""
    org.time_zone = "America/New_York"
    org.save()
    upsert(
        org,
        Deal,
        [
            deal("d1", rep, "won", "1000", D(2017, 4, 3), D(2017, 4, 20), "Acme renewal"),
            deal("d2", rep, "won", "500", D(2017, 5, 1), D(2017, 6, 10), "Birch upsell"),
            deal("d3", rep, "lost", "300", D(2017, 4, 5), D(2017, 5, 15)),
            deal("d4", rep, "won", "700", D(2017, 6, 1), D(2017, 7, 5)),
            deal("d5", rep, "open", "900", D(2017, 5, 2), None),
            deal("r1", rep2, "won", "2000", D(2017, 4, 10), D(2017, 5, 20)),
            deal("r2", rep2, "lost", "100", D(2017, 3, 1), D(2017, 6, 1)),
            deal("o1", other_team_rep, "won", "4000", D(2017, 4, 1), D(2017, 4, 25)),
        ],
    )
    upsert(
        org,
        Activity,
        [
            # 23:30 on 30 June in New York: June, so Q2, though already July in UTC.
            activity("late", rep, "call", dt.datetime(2017, 7, 1, 3, 30, tzinfo=UTC)),
            # 23:30 on 31 March in New York: Q1, though already April in UTC.
            activity("early", rep, "call", dt.datetime(2017, 4, 1, 3, 30, tzinfo=UTC)),
            activity("mid", rep, "call", dt.datetime(2017, 6, 15, 15, 0, tzinfo=UTC)),
            activity("mail", rep, "email", dt.datetime(2017, 5, 1, 15, 0, tzinfo=UTC)),
        ],
    )
    upsert(
        org,
        CsatResponse,
        [
            csat("c1", rep, "8", 10, D(2017, 5, 2)),  # 4 points of 5
            csat("c2", rep, "4.5", 5, D(2017, 5, 3)),
        ],
    )
    return org


def q2(org: Organization) -> Any:
    return period_of(org, Q2)


def eids(rows: Any) -> list[str]:
    return [r.external_id for r in rows]


def explain_url(kind: str, pk: int | None, key: str, fmt: str = "") -> str:
    name = f"kpis:explain_{kind}" + ("_export" if fmt else "")
    kwargs: dict[str, Any] = {"key": key}
    if kind != "org":
        kwargs[f"{kind}_id"] = pk
    if fmt:
        kwargs["fmt"] = fmt
    return reverse(name, kwargs=kwargs)


def record_rows(html: str) -> int:
    return html.count('data-label="Counts on"')
