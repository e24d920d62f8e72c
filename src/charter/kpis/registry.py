"""Metrics and built-in KPIs that other domain apps contribute to the KPI engine.

The engine's own metrics are the CRM's, one column each in the wide rollup tables. An app that
has numbers of its own (learning hours, say) registers a `Contributor` from its AppConfig: its
metrics (ordinary `Metric` definitions: unit, scale, which records count, on which day, what each
adds, whose they are), how to compute every stored amount of some people from its records (for
a rebuild and a check), and any built-in KPIs over them. Its services then keep the rollup
current by calling `kpis.rollups.contribute` with the change of each write, inside their
transaction, as the CRM importer does for facts.

The registry is plain module state filled once at start-up, so kpis never imports the apps that
contribute to it (tests/test_app_layers.py checks that).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from charter.kpis.library import BUILTINS, Builtin
from charter.kpis.metrics import METRIC_KEYS, METRICS, Metric

if TYPE_CHECKING:
    from charter.core.periods import Period
    from charter.org.models import Organization

# One stored amount: (person id, day, metric key, value in units of 1/scale).
Amount = tuple[int, dt.date, str, int]
# Per-period metrics of some people for a period as it stood on a day (the period's end, or
# today while it runs): person id → metric key → value in units of 1/scale.
PeriodValues = Callable[
    ["Organization", Sequence[int], "Period", dt.date], Mapping[int, Mapping[str, int]]
]
# The records behind a per-period metric of some people: objects with the metric's day field,
# owner and `shows` attributes, each adding `value`.
PeriodRecords = Callable[["Organization", Sequence[int], "Period", dt.date, str], list[Any]]


@dataclass(frozen=True)
class Contributor:
    """One app's contribution: its metrics, every amount of some people recomputed from the
    app's records, and its built-in KPIs."""

    name: str
    metrics: tuple[Metric, ...]
    amounts: Callable[[Organization, Sequence[int]], Iterable[Amount]]
    builtins: tuple[Builtin, ...] = ()
    period_values: PeriodValues | None = None
    period_records: PeriodRecords | None = None


_CONTRIBUTORS: dict[str, Contributor] = {}


def register(contributor: Contributor) -> None:
    """Add an app's metrics and built-in KPIs; registering the same app again replaces it (a
    reloaded module), a key another app or the CRM already uses is refused."""
    taken = set(METRIC_KEYS) | {
        m.key for c in _CONTRIBUTORS.values() if c.name != contributor.name for m in c.metrics
    }
    kpis_taken = {b.key for b in BUILTINS} | {
        b.key for c in _CONTRIBUTORS.values() if c.name != contributor.name for b in c.builtins
    }
    for metric in contributor.metrics:
        if metric.key in taken:
            raise ValueError(f"metric {metric.key!r} is already defined")
    for builtin in contributor.builtins:
        if builtin.key in kpis_taken:
            raise ValueError(f"built-in KPI {builtin.key!r} is already defined")
    old = _CONTRIBUTORS.pop(contributor.name, None)
    for metric in old.metrics if old else ():
        METRICS.pop(metric.key, None)
    _CONTRIBUTORS[contributor.name] = contributor
    # In the one dictionary of metrics, so that the library, the formula words and the explain
    # pages find a contributed metric exactly as they find the CRM's.
    for metric in contributor.metrics:
        METRICS[metric.key] = metric


def contributors() -> tuple[Contributor, ...]:
    return tuple(_CONTRIBUTORS.values())


def contributed_keys() -> tuple[str, ...]:
    """The contributed metrics, stored in `ContributedMetrics` rather than a rollup column."""
    return tuple(m.key for c in _CONTRIBUTORS.values() for m in c.metrics if not m.per_period)


def period_keys() -> tuple[str, ...]:
    """The contributed metrics computed per period (`Metric.per_period`)."""
    return tuple(m.key for c in _CONTRIBUTORS.values() for m in c.metrics if m.per_period)


def contributor_of(key: str) -> Contributor:
    return next(c for c in _CONTRIBUTORS.values() if any(m.key == key for m in c.metrics))


def known_metric_keys() -> tuple[str, ...]:
    """Every metric a formula may name."""
    return METRIC_KEYS + contributed_keys() + period_keys()


def all_builtins() -> tuple[Builtin, ...]:
    """The built-in KPI library: the engine's own and the apps' contributions."""
    return BUILTINS + tuple(b for c in _CONTRIBUTORS.values() for b in c.builtins)
