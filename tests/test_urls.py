"""The root URLconf's order is free (each include has a prefix of its own, the busiest first):
every named address still resolves to the view it names, whatever comes before it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RoutePattern

from charter import urls

# A value each path converter accepts.
SAMPLE = {
    "IntConverter": 7,
    "StringConverter": "x",
    "SlugConverter": "x",
    "PathConverter": "x/y",
    "UUIDConverter": "12345678-1234-5678-1234-567812345678",
}


def named_routes(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_routes(entry.url_patterns, inner)
        elif entry.name:
            yield f"{namespace}{entry.name}", entry


def sample_kwargs(route: URLPattern) -> dict[str, Any] | None:
    """Arguments to reverse a `path()` route with, or None for a regular expression one."""
    if not isinstance(route.pattern, RoutePattern):
        return None
    converters = route.pattern.converters
    return {name: SAMPLE[type(c).__name__] for name, c in converters.items()}


def test_every_named_path_resolves_to_its_own_view() -> None:
    checked = 0
    for name, route in named_routes(get_resolver(urls).url_patterns):
        kwargs = sample_kwargs(route)
        if kwargs is None:
            continue
        match = resolve(reverse(name, kwargs=kwargs, urlconf=urls), urlconf=urls)
        assert match.view_name == name
        assert match.func == route.callback
        checked += 1
    assert checked > 100


def test_the_dashboard_is_the_first_address_tried() -> None:
    first = urls.urlpatterns[0]
    assert isinstance(first, URLResolver)
    assert resolve("/kpis/", urlconf=urls).view_name == "kpis:dashboard"
    assert first.resolve("kpis/") is not None
