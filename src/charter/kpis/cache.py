"""Rendered scorecards, cached under the organization's data version.

Every write that can change a figure (facts through the rollups, targets, KPI versions, closes,
people and teams) raises `ScorecardSettings.data_version` in its own transaction; a cached
fragment's key holds the version it was computed at, the viewer and the day, so a reader sees
the new figures on the first request after the commit, and a stale fragment is never served.
The version is one indexed row read per request, shared by every process; the fragments live in
Django's cache (per process by default, Redis or Memcached when configured).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db.models import F

from charter.kpis.models import ScorecardSettings

# Long enough to serve a team's dashboards through a busy morning, short enough that memory
# held by fragments of yesterday's versions goes away on its own.
TTL_SECONDS = 600


def data_version(org_id: int) -> int:
    found = ScorecardSettings.objects.filter(org_id=org_id).values_list("data_version", flat=True)
    return next(iter(found), 0)


def _raise(org_id: int) -> None:
    if not ScorecardSettings.objects.filter(org_id=org_id).update(
        data_version=F("data_version") + 1
    ):
        ScorecardSettings.objects.get_or_create(org_id=org_id, defaults={"data_version": 1})


def changed(org_id: int | None) -> None:
    """Say that scorecards of the organization may have changed. The version goes up inside the
    writer's transaction: other readers see it with the data it describes, at the commit (and
    never if the transaction rolls back); the writer's own next read already sees it."""
    if org_id is not None:
        _raise(org_id)


def fragment(org_id: int, parts: tuple[Any, ...], render: Callable[[], str]) -> str:
    """`render()`'s result, reused while the organization's data version stays the same."""
    key = "kpis:fragment:" + ":".join(str(p) for p in (org_id, data_version(org_id), *parts))
    found = cache.get(key)
    if found is None:
        found = render()
        cache.set(key, found, TTL_SECONDS)
    return str(found)
