"""Walking the URL configuration, and filling each URL's keyword arguments from the world."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.permission_matrix.outcomes import Row, Value
from tests.permission_matrix.world import (
    World,
    east_requirement,
    east_training,
    rita_completion,
)

# How URL keyword arguments are filled unless a row says otherwise. `person_id` is Rita
# (rep2): another rep for `rep`, in `manager`'s team, outside `other_manager`'s.
KWARGS: dict[str, Value] = {
    "person_id": lambda w: w.rep2.pk,
    "team_id": lambda w: w.teams["east_ent"].pk,
    "job_id": lambda w: w.manager_job.pk,
    "alias_id": lambda w: w.rita_alias.pk,
    "run_id": lambda w: w.import_run.pk,
    "token_id": lambda w: w.manager_token.pk,
    "uidb64": lambda w: urlsafe_base64_encode(force_bytes(w.invitee.user_id)),
    "token": lambda w: default_token_generator.make_token(w.invitee.user),
    "format": lambda w: "json",
    # Expectations: the East Enterprise team document (manager's team, not other_manager's).
    "document_id": lambda w: w.team_doc.pk,
    "number": lambda w: 1,
    "section_id": lambda w: w.team_section.pk,
    "expectation_id": lambda w: w.team_expectation.pk,
    "value_id": lambda w: w.value.pk,
    "question_id": lambda w: w.question.pk,
    "distribution_id": lambda w: w.distribution.pk,
    # Learning: an East Enterprise training (manager's team, not other_manager's).
    "training_id": lambda w: east_training(w).pk,
    "completion_id": lambda w: rita_completion(w).pk,
    "requirement_id": lambda w: east_requirement(w).pk,
}


# --- walking the URL configuration ----------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    name: str
    route: str
    kwarg_names: tuple[str, ...]


def _kwarg_names(pattern: Any) -> list[str]:
    converters = getattr(pattern, "converters", None)
    if converters:
        return list(converters)
    regex = getattr(pattern, "regex", None)
    return list(regex.groupindex) if regex is not None else []


def _walk(
    patterns: list[Any], prefix: str = "", namespace: str = "", kwargs: tuple[str, ...] = ()
) -> Iterator[Endpoint]:
    for entry in patterns:
        names = kwargs + tuple(_kwarg_names(entry.pattern))
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, route, ns, names)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield Endpoint(name=name or f"<unnamed {route}>", route=route, kwarg_names=names)


def all_endpoints() -> list[Endpoint]:
    seen: dict[tuple[str, tuple[str, ...]], Endpoint] = {}
    for endpoint in _walk(get_resolver().url_patterns):
        seen.setdefault((endpoint.name, tuple(sorted(endpoint.kwarg_names))), endpoint)
    return list(seen.values())


def url_for(endpoint: Endpoint, row: Row, world: World) -> str:
    values = {**KWARGS, **row.kwargs}
    missing = [k for k in endpoint.kwarg_names if k not in values]
    if missing:
        raise AssertionError(
            f"{endpoint.name} ({endpoint.route}) takes {missing}: add a value to KWARGS in "
            f"tests/permission_matrix/urls.py, or to the row's kwargs."
        )
    return reverse(endpoint.name, kwargs={k: values[k](world) for k in endpoint.kwarg_names})
