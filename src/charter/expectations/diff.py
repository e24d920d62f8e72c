"""Compare two published versions: sections and expectations added, changed and removed, with a
word-level diff inside changed text. Pure functions over the versions' structured content."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

_TOKEN = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class WordOp:
    """One run of words: kept ("equal"), added ("insert") or removed ("delete")."""

    op: str
    text: str


def word_diff(old: str, new: str) -> list[WordOp]:
    a = _TOKEN.findall(old or "")
    b = _TOKEN.findall(new or "")
    ops: list[WordOp] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(WordOp("equal", "".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            ops.append(WordOp("delete", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            ops.append(WordOp("insert", "".join(b[j1:j2])))
    return ops


@dataclass
class ItemChange:
    """How one section or expectation differs between two versions."""

    kind: str  # "added", "removed", "changed"
    title: str
    fields: dict[str, list[WordOp]] = field(default_factory=dict)
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


@dataclass
class DocumentDiff:
    sections: list[ItemChange]
    expectations: list[ItemChange]

    @property
    def is_empty(self) -> bool:
        return not self.sections and not self.expectations

    @property
    def counts(self) -> dict[str, int]:
        counts = {"added": 0, "changed": 0, "removed": 0}
        for change in [*self.sections, *self.expectations]:
            counts[change.kind] += 1
        return counts


_SECTION_FIELDS = ("title", "intro_text")
_EXPECTATION_FIELDS = ("title", "text_plain", "values_label", "measure_label", "section_title")


def _compare(
    old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]], fields: tuple[str, ...]
) -> list[ItemChange]:
    changes: list[ItemChange] = []
    for key, after in new.items():
        before = old.get(key)
        if before is None:
            changes.append(ItemChange("added", after["title"], after=after))
            continue
        differing = {
            f: word_diff(str(before.get(f, "")), str(after.get(f, "")))
            for f in fields
            if before.get(f, "") != after.get(f, "")
        }
        if differing:
            changes.append(
                ItemChange("changed", after["title"], fields=differing, before=before, after=after)
            )
    for key, before in old.items():
        if key not in new:
            changes.append(ItemChange("removed", before["title"], before=before))
    return changes


def _index(content: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    sections: dict[str, Any] = {}
    expectations: dict[str, Any] = {}
    for section in content.get("sections", []):
        sections[section["key"]] = section
        for item in section.get("expectations", []):
            expectations[item["key"]] = {**item, "section_title": section["title"]}
    return sections, expectations


def compare(old_content: dict[str, Any], new_content: dict[str, Any]) -> DocumentDiff:
    old_sections, old_items = _index(old_content)
    new_sections, new_items = _index(new_content)
    return DocumentDiff(
        sections=_compare(old_sections, new_sections, _SECTION_FIELDS),
        expectations=_compare(old_items, new_items, _EXPECTATION_FIELDS),
    )
