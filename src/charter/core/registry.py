"""Extension points that later apps plug into without the core knowing them.

Each Charter app may have any of these modules, imported at start-up, which register:
- `periodic.py`: periodic jobs, run by `charter tick` (the worker calls it every minute);
- `importers.py`: importers, reachable as `charter import <name> FILE` and the upload pages;
- `demo.py`: demo builders, run in order by `charter demo`;
- `panels.py`: home-page panels, each shown to the people it has something to say to;
- `emails.py`: the optional emails each app sends, under the preference that turns them off
  (`email_topic`), so a person's profile offers only preferences for emails that exist.
"""

from __future__ import annotations

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


periodic_jobs: dict[str, PeriodicJob] = {}
home_panels: dict[str, HomePanel] = {}
importers: dict[str, Any] = {}
demo_builders: dict[str, DemoBuilder] = {}
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


def register_importer(importer: Any) -> Any:
    """Register an importer (see `charter.core.imports.Importer`) under its `name`."""
    importers[importer.name] = importer
    return importer


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
    autodiscover_modules("periodic", "importers", "demo", "panels", "emails")
