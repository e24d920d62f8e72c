"""Agendas built from the agenda sources (by item key), topics, and action items carried over
to the next meetings until done; the meeting page's queries."""

from __future__ import annotations

import datetime as dt

import pytest

from charter.conftest import client_for
from charter.core import registry
from charter.core.registry import AgendaItem
from charter.meetings.models import AgendaEntry, Status
from charter.meetings.services.agenda import agenda_build, entry_discussed, entry_move, topic_add
from charter.meetings.services.notes import action_add, action_done, note_add

PROPOSED: list[AgendaItem] = []


@pytest.fixture
def source():
    """A source whose items each test chooses, registered for the test only."""
    registry.agenda_sources["test.source"] = registry.AgendaSource(
        name="test.source", order=1, func=lambda report, manager, since, today: list(PROPOSED)
    )
    PROPOSED.clear()
    yield PROPOSED
    del registry.agenda_sources["test.source"]


def test_a_rebuild_updates_items_by_key_and_keeps_added_and_discussed_ones(series, rep, source):
    meeting = series.meetings.order_by("start")[0]
    source += [
        AgendaItem("kpis", "kpi:revenue", "Revenue behind pace", url="/kpis/explain/1/"),
        AgendaItem("kpis", "kpi:calls", "Calls behind pace"),
    ]
    assert agenda_build(meeting=meeting) == 2
    topic_add(meeting=meeting, author=rep, actor=rep.user, title="My promotion")
    calls = meeting.agenda.get(key="kpi:calls")
    entry_discussed(entry=calls, actor=rep.user, discussed=True)
    source[:] = [
        AgendaItem("kpis", "kpi:revenue", "Revenue 20% behind pace", url="/kpis/explain/1/")
    ]
    assert agenda_build(meeting=meeting) == 0
    titles = list(meeting.agenda.order_by("position").values_list("title", flat=True))
    assert titles == ["Revenue 20% behind pace", "Calls behind pace", "My promotion"]
    source[:] = []
    agenda_build(meeting=meeting)
    # The revenue item was neither added by someone nor discussed: it goes with its cause.
    assert set(meeting.agenda.values_list("title", flat=True)) == {
        "Calls behind pace",
        "My promotion",
    }


def test_agenda_items_are_reordered_one_place_at_a_time(series, rep, manager):
    meeting = series.meetings.order_by("start")[0]
    first = topic_add(meeting=meeting, author=rep, actor=rep.user, title="First")
    topic_add(meeting=meeting, author=manager, actor=manager.user, title="Second")
    entry_move(entry=first, actor=rep.user, direction="down")
    assert list(meeting.agenda.order_by("position").values_list("title", flat=True)) == [
        "Second",
        "First",
    ]


def test_open_action_items_carry_over_until_done_and_are_on_the_agenda(series, rep, manager, clock):
    first, second, third = series.meetings.order_by("start")[:3]
    item = action_add(
        meeting=first, actor=manager.user, owner=rep, title="Send the QBR deck", due_on=None
    )
    page = client_for(rep).get(f"/meetings/{second.pk}/")
    assert "Send the QBR deck" in page.content.decode()
    agenda_build(meeting=second)
    assert second.agenda.filter(key=f"action:{item.pk}").exists()
    action_done(item=item, actor=rep.user, done=True, meeting=second)
    assert "Send the QBR deck" in client_for(rep).get(f"/meetings/{second.pk}/").content.decode()
    assert "Send the QBR deck" not in client_for(rep).get(f"/meetings/{third.pk}/").content.decode()
    agenda_build(meeting=third)
    assert not third.agenda.filter(key=f"action:{item.pk}").exists()


def test_an_action_item_belongs_to_one_of_the_two_people(series, manager, other_team_rep):
    from django.core.exceptions import ValidationError

    meeting = series.meetings.order_by("start")[0]
    with pytest.raises(ValidationError) as caught:
        action_add(
            meeting=meeting, actor=manager.user, owner=other_team_rep, title="x", due_on=None
        )
    assert "owner" in caught.value.message_dict


def test_my_open_action_items_and_the_overdue_ones_on_the_home_page(series, rep, manager, clock):
    meeting = series.meetings.order_by("start")[0]
    action_add(
        meeting=meeting,
        actor=manager.user,
        owner=rep,
        title="Update the forecast",
        due_on=dt.date(2026, 3, 5),
    )
    assert "Update the forecast" in client_for(rep).get("/meetings/actions/").content.decode()
    assert "Update the forecast" not in client_for(rep).get("/").content.decode()
    clock.move_to(dt.datetime(2026, 3, 9, 9, tzinfo=dt.UTC))
    home = client_for(rep).get("/").content.decode()
    assert "Overdue action items" in home
    assert "Update the forecast" in home


def test_the_meeting_page_costs_the_same_queries_however_much_it_holds(
    series, rep, manager, django_assert_max_num_queries
):
    meeting = series.meetings.order_by("start")[0]
    client = client_for(manager)
    client.get(f"/meetings/{meeting.pk}/")  # the agenda's first build
    for n in range(12):
        topic_add(meeting=meeting, author=rep, actor=rep.user, title=f"Topic {n}")
        note_add(
            meeting=meeting,
            author=manager,
            actor=manager.user,
            body=f"Note {n}",
            private=n % 2 == 0,
        )
        action_add(meeting=meeting, actor=manager.user, owner=rep, title=f"Action {n}", due_on=None)
    with django_assert_max_num_queries(40):
        response = client.get(f"/meetings/{meeting.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert all(f"Topic {n}<" in body and f"Action {n}<" in body for n in range(12))


def test_moving_into_the_past_on_the_page_names_the_field(series, rep):
    meeting = series.meetings.order_by("start")[0]
    response = client_for(rep).post(
        f"/meetings/{meeting.pk}/move/", {"day": "2026-03-01", "time": "10:00"}
    )
    assert response.status_code == 400
    assert "cannot move into the past" in response.content.decode()
    meeting.refresh_from_db()
    assert not meeting.moved


def test_a_series_form_without_a_weekday_names_the_field(clock, manager, rep):
    response = client_for(manager).post(
        "/meetings/series/new/",
        {"report": rep.pk, "starts_on": "2026-03-02", "frequency": "weekly", "local_time": "10:00",
         "duration_minutes": "30", "time_zone": "Europe/Paris"},
    )  # fmt: skip
    assert response.status_code == 400
    assert response.context["form"].errors["weekday"]
    assert not series_exists(manager)


def series_exists(manager) -> bool:
    from charter.meetings.models import Series

    return Series.objects.filter(manager=manager).exists()


def test_the_agenda_answers_htmx_with_its_fragment(series, rep):
    meeting = series.meetings.order_by("start")[0]
    response = client_for(rep).post(
        f"/meetings/{meeting.pk}/topics/", {"topic-title": "Territory"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="agenda"')
    assert "Territory" in body
    assert AgendaEntry.objects.filter(meeting=meeting, title="Territory", added_by=rep).exists()
    assert meeting.status == Status.SCHEDULED
