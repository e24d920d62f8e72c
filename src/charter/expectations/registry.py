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
    # (document, reader, generated keys) -> {generated key: text}: where the signed-in reader
    # stands on each item today (hours done, trainings due). Shown beside the item on the page,
    # never frozen into the version: the version says what is asked, this says how far they are.
    reader_status: Callable[[Any, Any, list[str]], dict[str, str]] | None = None


def reader_statuses(document: Any, content: dict[str, Any], reader: Any) -> dict[str, str]:
    """Every generated item's status for `reader`, keyed like the version's items
    ("<section key>:<generated key>"), from the providers that tell one."""
    found: dict[str, str] = {}
    for section in content["sections"]:
        provider = section_providers.get(section["provider"]) if section["provider"] else None
        if provider is None or provider.reader_status is None or reader is None:
            continue
        prefix = f"{section['key']}:"
        keys = [
            i["key"][len(prefix) :] for i in section["expectations"] if i["key"].startswith(prefix)
        ]
        if not keys:
            continue
        for key, text in provider.reader_status(document, reader, keys).items():
            found[prefix + key] = text
    return found


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
