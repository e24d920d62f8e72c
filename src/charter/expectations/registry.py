"""How other pillars plug into expectations documents without this app knowing them.

- Section providers generate a section's items from live configuration (the values, who the
  document applies to; later KPIs, learning requirements, feedback cadence, reward rules).
- Measure kinds let an expectation say it is measured by a KPI, a learning requirement or a
  review question: `measure_ref` is "<kind>:<id>" and the kind's resolver turns it into a label.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class GeneratedItem:
    """One item a provider contributes; `key` must stay the same for the same thing over time."""

    key: str
    title: str
    text: str  # Markdown
    values: tuple[str, ...] = ()
    measure: str = ""


@dataclass(frozen=True)
class SectionProvider:
    key: str
    label: str
    default_title: str
    items: Callable[[Any], list[GeneratedItem]]  # document -> items


@dataclass(frozen=True)
class MeasureKind:
    key: str
    label: str
    # (org) -> [(ref id, label)] for the editor's picker
    choices: Callable[[Any], Iterable[tuple[str, str]]]
    # (org, ref id) -> label, or None when the thing no longer exists
    resolve: Callable[[Any, str], str | None]


section_providers: dict[str, SectionProvider] = {}
measure_kinds: dict[str, MeasureKind] = {}


def register_section_provider(provider: SectionProvider) -> SectionProvider:
    section_providers[provider.key] = provider
    return provider


def register_measure_kind(kind: MeasureKind) -> MeasureKind:
    measure_kinds[kind.key] = kind
    return kind


def measure_label(org: Any, measure_text: str, measure_ref: str) -> str:
    """What the document prints under "How it is measured"."""
    parts: list[str] = []
    if measure_ref:
        kind_key, _, ref_id = measure_ref.partition(":")
        kind = measure_kinds.get(kind_key)
        resolved = kind.resolve(org, ref_id) if kind else None
        parts.append(
            f"{kind.label}: {resolved}" if kind and resolved else f"{measure_ref} (unknown)"
        )
    if measure_text:
        parts.append(measure_text)
    return " — ".join(parts)


def measure_choices(org: Any) -> list[tuple[str, str]]:
    choices: list[tuple[str, str]] = []
    for kind in measure_kinds.values():
        choices += [
            (f"{kind.key}:{ref}", f"{kind.label}: {label}") for ref, label in kind.choices(org)
        ]
    return choices
