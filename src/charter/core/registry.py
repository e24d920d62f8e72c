"""Extension points that later apps plug into without the core knowing them.

Each Charter app may have any of these modules, imported at start-up, which register:
- `periodic.py`: periodic jobs, run by `charter tick` (the worker calls it every minute);
- `importers.py`: importers, reachable as `charter import <name> FILE` and the upload pages;
- `demo.py`: demo builders, run in order by `charter demo`;
- `panels.py`: home-page panels, each shown to the people it has something to say to;
- `emails.py`: the optional emails each app sends, under the preference that turns them off
  (`email_topic`), so a person's profile offers only preferences for emails that exist;
- `agenda.py`: agenda sources, what each app has to say in a 1:1 between a manager and a report
  (KPIs behind pace, unsigned expectations, overdue learning, open action items…);
- `calendars.py`: calendar sources, the events an app puts in a person's private calendar feed
  (training sessions, 1:1s).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    func: Callable[[], str | None]


@dataclass(frozen=True)
class DemoBuilder:
    name: str
    order: int
    func: Callable[[Any], None]


@dataclass(frozen=True)
class HomePanel:
    """A card on the home page: `func(user)` returns its template context, or None to hide."""

    name: str
    order: int
    template: str
    func: Callable[[Any], dict[str, Any] | None]


@dataclass(frozen=True)
class AgendaItem:
    """One talking point an app proposes for a 1:1. `key` names the same thing across refreshes
    ("kpi-behind:revenue:2017-Q2"), so regenerating an agenda updates an item instead of adding
    it twice; `url` is its source (an explain page, a signature request, a question)."""

    source: str
    key: str
    title: str
    detail: str = ""
    url: str = ""
    # Higher first within an agenda: how much the item asks for attention.
    weight: int = 0


@dataclass(frozen=True)
class AgendaSource:
    """`func(report, manager, since, today)` returns the items for a 1:1 between a manager and
    one report; `since` is the day of their previous 1:1 (None for a first one)."""

    name: str
    order: int
    func: Callable[[Any, Any, dt.date | None, dt.date], list[AgendaItem]]


@dataclass(frozen=True)
class CalendarEvent:
    """One event of a person's calendar feed or invitation. `uid` stays the same for the same
    event for ever and `sequence` grows with each change, as calendar programs expect; `rrule`
    ("FREQ=WEEKLY;BYDAY=TU") makes it a recurring series."""

    uid: str
    sequence: int
    summary: str
    start: dt.datetime  # aware
    end: dt.datetime  # aware
    timezone: str  # IANA name the event is planned in, e.g. "Europe/Paris"
    description: str = ""
    location: str = ""
    url: str = ""
    cancelled: bool = False
    rrule: str = ""
    organizer_email: str = ""
    attendee_emails: tuple[str, ...] = ()


@dataclass(frozen=True)
class CalendarSource:
    """`func(person, start, end)` returns that person's events overlapping [start, end)."""

    name: str
    func: Callable[[Any, dt.datetime, dt.datetime], list[CalendarEvent]]


@dataclass(frozen=True)
class PageSection:
    """A card an app adds to another app's page (the values page, a person's page):
    `func(user, obj)` returns its template context, or None to hide it."""

    page: str
    name: str
    order: int
    template: str
    func: Callable[[Any, Any], dict[str, Any] | None]


@dataclass(frozen=True)
class ShownSection:
    template: str
    context: dict[str, Any]


periodic_jobs: dict[str, PeriodicJob] = {}
agenda_sources: dict[str, AgendaSource] = {}
calendar_sources: dict[str, CalendarSource] = {}
home_panels: dict[str, HomePanel] = {}
importers: dict[str, Any] = {}
demo_builders: dict[str, DemoBuilder] = {}
# {page: {name: section}}: what other apps add to a page the page's own app renders.
page_sections: dict[str, dict[str, PageSection]] = {}
# {preference: [what it covers, in words]}, filled by the apps that send those emails.
email_topics: dict[str, list[str]] = {}


def periodic(name: str) -> Callable[[Callable[[], str | None]], Callable[[], str | None]]:
    """Register a function for `charter tick`; it returns a short summary or None."""

    def decorator(func: Callable[[], str | None]) -> Callable[[], str | None]:
        periodic_jobs[name] = PeriodicJob(name=name, func=func)
        return func

    return decorator


def demo_builder(
    name: str, *, order: int
) -> Callable[[Callable[[Any], None]], Callable[[Any], None]]:
    """Register a step of `charter demo`; lower `order` runs first."""

    def decorator(func: Callable[[Any], None]) -> Callable[[Any], None]:
        demo_builders[name] = DemoBuilder(name=name, order=order, func=func)
        return func

    return decorator


def home_panel(
    name: str, *, order: int, template: str
) -> Callable[[Callable[[Any], dict[str, Any] | None]], Callable[[Any], dict[str, Any] | None]]:
    """Register a home-page card; lower `order` shows first."""

    def decorator(
        func: Callable[[Any], dict[str, Any] | None],
    ) -> Callable[[Any], dict[str, Any] | None]:
        home_panels[name] = HomePanel(name=name, order=order, template=template, func=func)
        return func

    return decorator


def email_topic(preference: str, topic: str) -> None:
    """Say that an app sends optional emails about `topic` ("signatures you have not given")
    to people whose `preference` (a notification preference, e.g. "reminders") is on."""
    topics = email_topics.setdefault(preference, [])
    if topic not in topics:
        topics.append(topic)


def agenda_source(
    name: str, *, order: int
) -> Callable[[Callable[..., list[AgendaItem]]], Callable[..., list[AgendaItem]]]:
    """Register what an app proposes for 1:1 agendas; lower `order` lists first."""

    def decorator(func: Callable[..., list[AgendaItem]]) -> Callable[..., list[AgendaItem]]:
        agenda_sources[name] = AgendaSource(name=name, order=order, func=func)
        return func

    return decorator


def agenda_items(
    report: Any, manager: Any, since: dt.date | None, today: dt.date
) -> list[AgendaItem]:
    """Every registered source's items for a 1:1, sources in order, heaviest first within each."""
    items: list[AgendaItem] = []
    for source in sorted(agenda_sources.values(), key=lambda s: (s.order, s.name)):
        found = source.func(report, manager, since, today)
        items += sorted(found, key=lambda item: -item.weight)
    return items


def calendar_source(
    name: str,
) -> Callable[[Callable[..., list[CalendarEvent]]], Callable[..., list[CalendarEvent]]]:
    """Register the events an app puts in people's calendar feeds."""

    def decorator(func: Callable[..., list[CalendarEvent]]) -> Callable[..., list[CalendarEvent]]:
        calendar_sources[name] = CalendarSource(name=name, func=func)
        return func

    return decorator


def calendar_events(person: Any, start: dt.datetime, end: dt.datetime) -> list[CalendarEvent]:
    """A person's events from every app, in start order."""
    events: list[CalendarEvent] = []
    for source in calendar_sources.values():
        events += source.func(person, start, end)
    return sorted(events, key=lambda event: (event.start, event.uid))


def register_importer(importer: Any) -> Any:
    """Register an importer (see `charter.core.imports.Importer`) under its `name`."""
    importers[importer.name] = importer
    return importer


def page_section(
    page: str, name: str, *, order: int, template: str
) -> Callable[
    [Callable[[Any, Any], dict[str, Any] | None]], Callable[[Any, Any], dict[str, Any] | None]
]:
    """Register a card for another app's `page` ("expectations.values", "org.person")."""

    def decorator(
        func: Callable[[Any, Any], dict[str, Any] | None],
    ) -> Callable[[Any, Any], dict[str, Any] | None]:
        page_sections.setdefault(page, {})[name] = PageSection(
            page=page, name=name, order=order, template=template, func=func
        )
        return func

    return decorator


def sections_for(page: str, user: Any, obj: Any = None) -> list[ShownSection]:
    """The cards the apps add to `page` for `user` (about `obj`, when the page is about one)."""
    shown: list[ShownSection] = []
    for section in sorted(page_sections.get(page, {}).values(), key=lambda s: (s.order, s.name)):
        context = section.func(user, obj)
        if context is not None:
            shown.append(ShownSection(template=section.template, context=context))
    return shown


# How to find the signed-in person behind a user: the org app registers `org.access.person_of`
# at start-up, so `core.http.person_required` serves every app's pages without core knowing the
# org chart.
_person_lookup: list[Callable[[Any], Any]] = []


def register_person_lookup(func: Callable[[Any], Any]) -> None:
    _person_lookup[:] = [func]


def person_of(user: Any) -> Any:
    """The active person behind `user`, or None, as the registered lookup finds it."""
    if not _person_lookup:
        raise ImproperlyConfigured("No app registered how to find the signed-in person.")
    return _person_lookup[0](user)


def autodiscover() -> None:
    autodiscover_modules("periodic", "importers", "demo", "panels", "emails", "agenda", "calendars")
