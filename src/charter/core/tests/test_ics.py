"""Calendar files are read back with the same library a calendar program's parser follows."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar

from charter.core import registry
from charter.core.ics import calendar
from charter.core.registry import AgendaItem, CalendarEvent

PARIS = ZoneInfo("Europe/Paris")


def _parse(raw: bytes) -> tuple[Any, list[Any]]:
    """The calendar and its events, typed loosely: icalendar's accessors return unions."""
    parsed: Any = Calendar.from_ical(raw)
    return parsed, list(parsed.walk("VEVENT"))


def _event(**changes: object) -> CalendarEvent:
    fields: dict[str, object] = {
        "uid": "one-on-one-7@charter",
        "sequence": 0,
        "summary": "1:1 Ana / Ben",
        "start": dt.datetime(2026, 3, 24, 10, tzinfo=PARIS),
        "end": dt.datetime(2026, 3, 24, 10, 30, tzinfo=PARIS),
        "timezone": "Europe/Paris",
    }
    fields.update(changes)
    return CalendarEvent(**fields)  # type: ignore[arg-type]


def test_a_weekly_series_keeps_its_wall_time_across_the_daylight_saving_change() -> None:
    parsed, (event,) = _parse(calendar([_event(rrule="FREQ=WEEKLY;BYDAY=TU")], method="REQUEST"))
    assert parsed["method"] == "REQUEST"
    assert event["rrule"]["FREQ"] == ["WEEKLY"]
    assert event["rrule"]["BYDAY"] == ["TU"]
    assert event["dtstart"].params["TZID"] == "Europe/Paris"
    # 24 March is CET (+1), the next Tuesday is CEST (+2): the wall time stays 10:00.
    before = event["dtstart"].dt
    after = (before + dt.timedelta(days=7)).replace(tzinfo=PARIS)
    assert (before.hour, after.hour) == (10, 10)
    assert before.utcoffset() != after.utcoffset()
    zones = [zone["tzid"] for zone in parsed.walk("VTIMEZONE")]
    assert zones == ["Europe/Paris"]


def test_a_cancellation_carries_the_same_uid_and_a_higher_sequence() -> None:
    _, (event,) = _parse(calendar([_event(sequence=3, cancelled=True)], method="CANCEL"))
    assert (str(event["uid"]), event["sequence"], event["status"]) == (
        "one-on-one-7@charter",
        3,
        "CANCELLED",
    )


def test_attendees_and_text_are_escaped_for_calendar_programs() -> None:
    raw = calendar(
        [_event(description="Agenda; pipeline, forecast", attendee_emails=("ben@example.com",))]
    )
    _, (event,) = _parse(raw)
    assert str(event["description"]) == "Agenda; pipeline, forecast"
    assert str(event["attendee"]) == "mailto:ben@example.com"
    assert b"Agenda\\; pipeline\\, forecast" in raw


def test_agenda_sources_list_in_order_and_heaviest_first(monkeypatch: object) -> None:
    sources: dict[str, registry.AgendaSource] = {}
    monkeypatch.setattr(registry, "agenda_sources", sources)  # type: ignore[attr-defined]

    @registry.agenda_source("later", order=20)
    def later(report: object, manager: object, since: object, today: object) -> list[AgendaItem]:
        return [AgendaItem(source="later", key="z", title="Z")]

    @registry.agenda_source("first", order=10)
    def first(report: object, manager: object, since: object, today: object) -> list[AgendaItem]:
        return [
            AgendaItem(source="first", key="light", title="Light", weight=1),
            AgendaItem(source="first", key="heavy", title="Heavy", weight=5),
        ]

    items = registry.agenda_items(None, None, None, dt.date(2026, 1, 1))
    assert [item.key for item in items] == ["heavy", "light", "z"]
