"""Series, cadence versions, generated meetings, and skipping or moving one of them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from charter.core.models import AuditEvent
from charter.meetings.models import Cadence, Meeting, Series, Status
from charter.meetings.services import meetings as meeting_services
from charter.meetings.services.series import (
    cadence_change,
    end_series_of_changed_managers,
    generate,
    series_create,
    series_create_for_team,
)
from charter.meetings.tests.conftest import NOW, weekly

PARIS = ZoneInfo("Europe/Paris")


def test_a_new_series_has_eight_weeks_of_meetings_and_generating_again_makes_none(series):
    meetings = list(series.meetings.order_by("start"))
    assert len(meetings) == 8
    assert meetings[0].start.astimezone(PARIS) == dt.datetime(2026, 3, 3, 10, tzinfo=PARIS)
    # Across the change to summer time on 29 March, still 10:00 in Paris.
    assert {m.start.astimezone(PARIS).time() for m in meetings} == {dt.time(10)}
    assert generate(series) == 0
    assert series.meetings.count() == 8


def test_a_cadence_without_a_weekday_is_refused_naming_the_field(clock, manager, rep):
    with pytest.raises(ValidationError) as caught:
        series_create(
            manager=manager,
            report=rep,
            actor=manager.user,
            starts_on=NOW.date(),
            cadence=weekly(weekday=None),
        )
    assert "weekday" in caught.value.message_dict
    assert not Series.objects.exists()


def test_a_series_is_only_with_a_direct_report(clock, manager, other_team_rep):
    with pytest.raises(ValidationError) as caught:
        series_create(
            manager=manager,
            report=other_team_rep,
            actor=manager.user,
            starts_on=NOW.date(),
            cadence=weekly(),
        )
    assert "report" in caught.value.message_dict


def test_a_whole_team_gets_a_series_each_once(clock, manager, rep, rep2):
    made = series_create_for_team(
        manager=manager, actor=manager.user, starts_on=NOW.date(), cadence=weekly()
    )
    assert {s.report for s in made} == {rep, rep2}
    assert (
        series_create_for_team(
            manager=manager, actor=manager.user, starts_on=NOW.date(), cadence=weekly()
        )
        == []
    )


def test_skipping_one_meeting_leaves_the_others(series, manager):
    first, second = series.meetings.order_by("start")[:2]
    meeting_services.meeting_skip(meeting=first, actor=manager.user, reason="Offsite")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.sequence, first.skip_reason) == (Status.SKIPPED, 1, "Offsite")
    assert (second.status, second.sequence) == (Status.SCHEDULED, 0)
    assert AuditEvent.objects.filter(action="meetings.meeting.skip").count() == 1


def test_moving_one_meeting_keeps_its_slot_and_leaves_the_others(series, rep):
    first, second = series.meetings.order_by("start")[:2]
    new_start = first.start + dt.timedelta(days=1)
    meeting_services.meeting_move(meeting=first, actor=rep.user, start=new_start)
    first.refresh_from_db()
    assert first.start == new_start
    assert first.slot != new_start
    assert first.moved
    assert first.end - first.start == dt.timedelta(minutes=30)
    assert first.sequence == 1
    assert Meeting.objects.get(pk=second.pk).start == second.start


def test_a_meeting_cannot_move_into_the_past(series, rep):
    first = series.meetings.order_by("start")[0]
    with pytest.raises(ValidationError) as caught:
        meeting_services.meeting_move(
            meeting=first, actor=rep.user, start=NOW - dt.timedelta(hours=1)
        )
    assert "start" in caught.value.message_dict
    first.refresh_from_db()
    assert not first.moved
    assert first.sequence == 0


def test_a_meeting_cannot_move_onto_another_meeting_of_the_pair(series, rep):
    first, second = series.meetings.order_by("start")[:2]
    with pytest.raises(ValidationError) as caught:
        meeting_services.meeting_move(
            meeting=first, actor=rep.user, start=second.start + dt.timedelta(minutes=10)
        )
    assert "start" in caught.value.message_dict
    first.refresh_from_db()
    assert not first.moved


def test_a_cadence_change_is_a_new_version_and_past_meetings_keep_theirs(series, manager, clock):
    first = series.meetings.order_by("start")[0]
    clock.move_to(dt.datetime(2026, 3, 3, 12, tzinfo=dt.UTC))
    meeting_services.meeting_mark_held(meeting=first, actor=manager.user)
    version = cadence_change(
        series=series,
        actor=manager.user,
        effective_from=dt.date(2026, 3, 16),
        reason="Moving to Thursdays",
        cadence=weekly(weekday=3, local_time=dt.time(15, 0)),
    )
    versions = list(Cadence.objects.filter(series=series).order_by("effective_from"))
    assert [v.effective_from for v in versions] == [NOW.date(), dt.date(2026, 3, 16)]
    assert versions[0].weekday == 1
    assert versions[0].sequence == 1
    assert versions[1] == version
    assert version.reason == "Moving to Thursdays"
    by_version = {
        v.pk: sorted(m.start for m in series.meetings.filter(cadence=v)) for v in versions
    }
    assert [s.astimezone(PARIS).date() for s in by_version[versions[0].pk]] == [
        dt.date(2026, 3, 3),
        dt.date(2026, 3, 10),
    ]
    assert by_version[version.pk][0].astimezone(PARIS) == dt.datetime(2026, 3, 19, 15, tzinfo=PARIS)
    assert Meeting.objects.get(pk=first.pk).status == Status.HELD


def test_a_cadence_change_needs_a_reason_and_a_future_day(series, manager):
    with pytest.raises(ValidationError) as caught:
        cadence_change(
            series=series,
            actor=manager.user,
            effective_from=NOW.date(),
            reason="",
            cadence=weekly(),
        )
    assert set(caught.value.message_dict) == {"reason"}
    with pytest.raises(ValidationError) as caught:
        cadence_change(
            series=series,
            actor=manager.user,
            effective_from=NOW.date(),
            reason="x",
            cadence=weekly(),
        )
    assert set(caught.value.message_dict) == {"effective_from"}
    assert series.cadences.count() == 1


def test_a_report_who_changes_manager_ends_the_old_series(series, rep, other_manager):
    rep.manager = other_manager
    rep.save(update_fields=["manager"])
    assert end_series_of_changed_managers() == 1
    series.refresh_from_db()
    assert series.ended_on == NOW.date()
    assert not series.meetings.filter(status=Status.SCHEDULED).exists()
    assert end_series_of_changed_managers() == 0
