"""The demo company: `charter demo` runs every registered demo builder, in order, in one
transaction, with one shared `DemoContext`.

A builder is a function in an app's `demo.py`, registered with
`@registry.demo_builder("<app>", order=N)`. The org builder (order 10) creates the company and its
people; later builders read `ctx.org` and `ctx.people` and add their own data through their app's
services. Builders draw every random choice from `ctx.rng` and every date from `ctx.today`, so
the same seed and day always produce the same company.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from charter.core import registry

SEED = 20240131
# One password for every demo login; printed by `charter demo`, never used outside the demo.
PASSWORD = "charter-demo"  # noqa: S105 - published on purpose, like the demo itself


@dataclass(frozen=True)
class DemoLogin:
    """One row of the logins table `charter demo` prints."""

    email: str
    name: str
    role: str
    team: str
    note: str = ""


@dataclass
class DemoContext:
    """What demo builders share: the company, its people by key, randomness and the clock."""

    today: dt.date
    rng: random.Random
    password: str = PASSWORD
    org: Any = None
    # Stable keys ("admin", "rep.americas_enterprise.1", …) so builders need not look people up.
    people: dict[str, Any] = field(default_factory=dict)
    teams: dict[str, Any] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)
    log: Callable[[str], None] = print

    def days_ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)


def new_context(*, log: Callable[[str], None] = print, seed: int = SEED) -> DemoContext:
    return DemoContext(today=timezone.localdate(), rng=random.Random(seed), log=log)


def build(ctx: DemoContext) -> DemoContext:
    """Run every demo builder in order inside one transaction: the whole demo or nothing."""
    builders = sorted(registry.demo_builders.values(), key=lambda b: (b.order, b.name))
    with transaction.atomic():
        for builder in builders:
            ctx.log(f"demo: {builder.name}")
            builder.func(ctx)
    return ctx
