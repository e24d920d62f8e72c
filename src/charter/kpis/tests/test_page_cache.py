"""The whole "My KPIs" page (and anyone's KPI page) cached under the organization's data version:
a repeated view costs a handful of queries, yet every viewer gets their own page and a CSRF
token of their own, new figures show at once, and a pending message is never lost.

The world is the one of `test_views_scorecards`, frozen on 15 May 2017 (UTC), in 2017-Q2:
Rick (rep) won $1,500 against a $1,000 revenue target; Rita (rep2) won $4,300 against $2,000.
In 2017-Q1 Rick won $500.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
from types import ModuleType
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.db.models import F
from django.middleware import csrf as django_csrf
from django.test import Client
from django.test.utils import CaptureQueriesContext

from charter.conftest import client_for
from charter.kpis import cache, services
from charter.kpis.models import KpiDefinition
from charter.kpis.tests import test_views_scorecards as scorecards
from charter.kpis.tests.test_views_scorecards import Q2, D, deal, row_of, upsert
from charter.org.models import DataVersion, Person

# The dashboard world of `test_views_scorecards`, with its third rep.
tom = scorecards.tom
world = scorecards.world

# Read on a cached view of one's own KPIs: the session row, the user with their person and
# organization (`accounts.backends`), and the organization's data version (`kpis.cache`).
CACHE_HIT_QUERIES = 3

# Django's own unmasking (private, untyped): the token must be one it reads as the cookie's.
unmask = django_csrf._unmask_cipher_token  # type: ignore[attr-defined]

TOKEN_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LOGOUT_FORM = re.compile(r'<form method="post" action="([^"]+)">')


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(dt.datetime(2017, 5, 15, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


def token_of(html: str) -> str:
    tokens = set(TOKEN_INPUT.findall(html))
    assert len(tokens) == 1, tokens
    return tokens.pop()


def without_token(html: str) -> str:
    """The page with its CSRF token, wherever it appears, replaced by a fixed word."""
    token = token_of(html)
    # Twice: the sign-out form's hidden input and the htmx headers on <body>.
    assert html.count(token) == 2
    return html.replace(token, "TOKEN")


def get(client: Client, path: str, **headers: Any) -> str:
    response = client.get(path, **headers)
    assert response.status_code == 200
    return response.content.decode()


# -- served from the cache -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_second_view_of_my_kpis_is_the_same_page_for_a_few_queries(
    world: dict[str, Person], django_assert_num_queries: Any
) -> None:
    client = client_for(world["rep"])
    first = get(client, "/kpis/")
    with django_assert_num_queries(CACHE_HIT_QUERIES):
        second = get(client, "/kpis/")
    assert without_token(second) == without_token(first)
    assert "$1,500" in row_of(second, "revenue_won")


@pytest.mark.django_db
def test_a_page_carries_a_token_never_the_mark_and_a_new_mask_each_time(
    world: dict[str, Person],
) -> None:
    client = client_for(world["rep"])
    pages = [get(client, "/kpis/") for _ in range(3)]  # computed, then twice from the cache
    for html in pages:
        assert cache.CSRF_MARK not in html
        assert 'hx-headers=\'{"X-CSRFToken": "' + token_of(html) + "\"}'" in html
    # The one secret is masked anew for each response: three pages, three tokens.
    assert len({token_of(html) for html in pages}) == 3


@pytest.mark.django_db
def test_a_cached_page_renews_the_csrf_cookie_its_token_belongs_to(
    world: dict[str, Person], django_assert_num_queries: Any
) -> None:
    client = client_for(world["rep"])
    get(client, "/kpis/")
    with django_assert_num_queries(CACHE_HIT_QUERIES):
        response = client.get("/kpis/")
    # Sent again with every page, as Django's get_token has it (which renews its expiry).
    secret = response.cookies["csrftoken"].value
    assert unmask(token_of(response.content.decode())) == secret


@pytest.mark.django_db
def test_the_token_of_a_cached_page_signs_out_and_a_wrong_one_is_refused(
    world: dict[str, Person], django_assert_num_queries: Any
) -> None:
    rep = world["rep"]
    assert rep.user is not None
    get(client_for(rep), "/kpis/")  # another browser of Rick's fills the cache
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(rep.user)
    with django_assert_num_queries(CACHE_HIT_QUERIES):  # served from the cache
        html = get(strict, "/kpis/")
    assert cache.CSRF_MARK not in html
    logout = LOGOUT_FORM.search(html)
    assert logout is not None
    assert logout.group(1) == "/accounts/logout/"

    # A token that is valid, but for another browser's cookie.
    stranger = get(client_for(rep), "/kpis/")
    refused = strict.post(logout.group(1), {"csrfmiddlewaretoken": token_of(stranger)})
    assert refused.status_code == 403
    assert strict.get("/kpis/").status_code == 200  # still signed in

    signed_out = strict.post(logout.group(1), {"csrfmiddlewaretoken": token_of(html)})
    assert signed_out.status_code == 302
    assert signed_out["Location"] == "/accounts/login/"
    assert strict.get("/kpis/")["Location"].startswith("/accounts/login/")


# -- one viewer's page is theirs alone -----------------------------------------------------


@pytest.mark.django_db
def test_two_reps_each_see_their_own_cached_page(world: dict[str, Person]) -> None:
    rick, rita = client_for(world["rep"]), client_for(world["rep2"])
    for _ in range(2):  # the second round comes from the cache
        mine = get(rick, "/kpis/")
        hers = get(rita, "/kpis/")
        assert "Rick Rep" in mine
        assert "Rita Rep" not in mine
        assert "$1,500" in row_of(mine, "revenue_won")
        assert "Rita Rep" in hers
        assert "Rick Rep" not in hers
        assert "$4,300" in row_of(hers, "revenue_won")


@pytest.mark.django_db
def test_a_managers_view_of_a_rep_is_not_the_reps_own_page_nor_anyone_elses(
    world: dict[str, Person],
) -> None:
    rep, manager = world["rep"], world["manager"]
    path = f"/kpis/people/{rep.pk}/"
    for _ in range(2):
        theirs = get(client_for(manager), path)
        own = get(client_for(rep), path)
        assert "KPIs of Rick Rep" in theirs
        assert "Mona Manager" in theirs  # the signed-in name in the top bar
        assert "My KPIs</h1>" in own
        assert "Mona Manager" not in own
    # The page is cached for the manager; a teammate asking for the same address still may not.
    assert client_for(world["rep2"]).get(path).status_code == 404
    assert client_for(world["other_manager"]).get(path).status_code == 404


# -- new figures and messages --------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_deal_and_a_new_target_show_on_the_next_view(world: dict[str, Person]) -> None:
    rep, manager = world["rep"], world["manager"]
    client = client_for(manager)
    path = f"/kpis/people/{rep.pk}/"
    first = get(client, path)
    assert without_token(get(client, path)) == without_token(first)  # cached from here

    upsert(rep.org, [deal("late", rep, "won", "700", D(2017, 5, 3))])
    # $1,500 + $700 won.
    assert "$2,200" in row_of(get(client, path), "revenue_won")

    services.target_set(
        org=rep.org,
        kpi=KpiDefinition.objects.get(org=rep.org, key="revenue_won"),
        period=Q2,
        value="4400",
        actor=manager.user,
        person=rep,
        effective_from=Q2.start,  # the whole quarter: no proration
        reason="Bigger territory",
    )
    # $2,200 of $4,400.
    revenue = row_of(get(client, path), "revenue_won")
    assert "$4,400" in revenue
    assert "50%" in revenue


@pytest.mark.django_db
def test_my_own_cached_page_shows_a_new_deal_on_the_next_view(
    world: dict[str, Person], django_assert_num_queries: Any
) -> None:
    # One's own page takes the data version from the statement that reads the signed-in user.
    rep = world["rep"]
    client = client_for(rep)
    first = get(client, "/kpis/")
    with django_assert_num_queries(CACHE_HIT_QUERIES):
        assert without_token(get(client, "/kpis/")) == without_token(first)

    upsert(rep.org, [deal("late", rep, "won", "700", D(2017, 5, 3))])
    assert "$2,200" in row_of(get(client, "/kpis/"), "revenue_won")  # $1,500 + $700


@pytest.mark.django_db
def test_a_version_raised_by_another_process_renders_my_page_afresh(
    world: dict[str, Person], django_assert_num_queries: Any
) -> None:
    rep = world["rep"]
    client = client_for(rep)
    get(client, "/kpis/")
    with django_assert_num_queries(CACHE_HIT_QUERIES):
        get(client, "/kpis/")
    # Another worker's write: only the row in the database says so.
    assert DataVersion.objects.filter(org_id=rep.org_id).update(version=F("version") + 1)
    with CaptureQueriesContext(connection) as captured:
        get(client, "/kpis/")
    assert len(captured) > CACHE_HIT_QUERIES  # computed again
    with django_assert_num_queries(CACHE_HIT_QUERIES):
        get(client, "/kpis/")


@pytest.mark.django_db
def test_a_pending_message_shows_once_on_a_fresh_page(world: dict[str, Person]) -> None:
    rep, admin = world["rep"], world["admin"]
    client = client_for(admin)
    # The admin's own scorecard page ("Scorecards" opens the org view for an admin).
    mine = f"/kpis/people/{admin.pk}/"
    first = get(client, mine)
    version = cache.data_version(rep.org_id)
    # Reactivating someone active changes nothing but says so: only the message is new.
    client.post(f"/org/people/{rep.pk}/reactivate/")
    assert cache.data_version(rep.org_id) == version

    shown = get(client, mine)
    assert "Rick Rep is already active." in shown
    assert cache.CSRF_MARK not in shown
    token_of(shown)

    again = get(client, mine)
    assert "Rick Rep is already active." not in again
    assert without_token(again) == without_token(first)


@pytest.mark.django_db
def test_htmx_gets_only_the_scorecard_before_and_after_the_page_is_cached(
    world: dict[str, Person],
) -> None:
    client = client_for(world["rep"])
    for _ in range(2):
        part = get(client, "/kpis/", HTTP_HX_REQUEST="true")
        assert "<html" not in part
        assert "$1,500" in row_of(part, "revenue_won")
        # The whole page, cached by the round before, is still the whole page.
        page = get(client, "/kpis/")
        assert "<html" in page
        assert part in page


@pytest.mark.django_db
def test_a_period_is_a_page_of_its_own(
    world: dict[str, Person], django_assert_num_queries: Any
) -> None:
    client = client_for(world["rep"])
    for _ in range(2):
        now = get(client, "/kpis/")
        then = get(client, "/kpis/?period=2017-Q1")
        assert "$1,500" in row_of(now, "revenue_won")
        assert "$500" in row_of(then, "revenue_won")
        assert "$1,500" not in row_of(then, "revenue_won")
    with django_assert_num_queries(CACHE_HIT_QUERIES):
        get(client, "/kpis/?period=2017-Q1")


# -- several processes, one cache --------------------------------------------------------


def imported_afresh() -> ModuleType:
    """`kpis.cache` as another process of this installation imports it: a module of its own."""
    spec = importlib.util.spec_from_file_location("charter_kpis_cache_elsewhere", cache.__file__)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db
def test_a_page_cached_by_another_process_gets_this_ones_token(
    world: dict[str, Person], monkeypatch: Any
) -> None:
    client = client_for(world["rep"])
    cached_here = get(client, "/kpis/")
    mark_here = cache.CSRF_MARK
    # Another worker sharing the cache (Redis, Memcached), or this one restarted within the TTL,
    # serves the page with the mark it computed on import; it must be the mark in the copy.
    elsewhere = imported_afresh()
    monkeypatch.setattr(cache, "CSRF_MARK", elsewhere.CSRF_MARK)
    served_there = get(client, "/kpis/")
    assert mark_here not in served_there
    assert elsewhere.CSRF_MARK not in served_there
    assert not token_of(served_there).startswith("csrf-mark-")
    assert without_token(served_there) == without_token(cached_here)
