"""What a role gets from a URL: the outcomes, `By` (one per role), the shapes rows share, `Row`.

Also how a response reads as an outcome, and the database fingerprint the write pass compares.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast

from django.apps import apps

from charter.accounts.models import Session
from tests.permission_matrix.world import World

ROLES = ("anonymous", "rep", "manager", "other_manager", "admin", "executive")

LOGIN = "login"
REDIRECT = "redirect"
CHANGES = "changes"
OK = 200


class By(NamedTuple):
    """The outcome for each role, in the order of ROLES."""

    anonymous: Any
    rep: Any
    manager: Any
    other_manager: Any
    admin: Any
    executive: Any


# Shorthands for the common shapes.
SIGNED_IN = By(LOGIN, OK, OK, OK, OK, OK)
ADMIN_PAGE = By(LOGIN, 403, 403, 403, OK, 403)
PUBLIC = By(OK, OK, OK, OK, OK, OK)
API_SIGNED_IN = By(401, OK, OK, OK, OK, OK)
POST_ONLY = By(405, 405, 405, 405, 405, 405)
API_POST_ONLY = By(401, 405, 405, 405, 405, 405)


Value = Callable[[World], Any]


@dataclass
class Row:
    """What each role gets from GET, and from the write of a state-changing URL."""

    get: By
    write: By | None = None
    method: str = "post"
    data: Callable[[World], dict[str, Any]] = lambda w: {}
    kwargs: dict[str, Value] = field(default_factory=dict)
    json: bool = False


def outcome(response: Any) -> Any:
    if response.status_code in (301, 302, 303):
        return LOGIN if response["Location"].startswith("/accounts/login/") else REDIRECT
    return response.status_code


def fingerprint() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every Charter table: the database, as far as the product is concerned."""
    state: dict[str, list[tuple[Any, ...]]] = {}
    for model in apps.get_models():
        # Sessions are who is signed in, not the product's data: signing out ends one.
        if not model.__module__.startswith("charter.") or model is Session:
            continue
        fields = [f.attname for f in model._meta.concrete_fields]
        state[model._meta.label] = sorted(
            (tuple(map(repr, row)) for row in cast(Any, model).objects.values_list(*fields)),
            key=repr,
        )
    return state


def diff(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after.get(label)]
