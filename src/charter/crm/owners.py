"""Who a CRM owner is: matching the owner an export names to a person, and the reads behind the
unmatched owners page.

An owner matches by an alias an admin recorded (email, CRM user id or name), then by a person's
email, then by a person's full name when exactly one person has it. Anything else stays
unmatched (owner NULL, owner_raw and owner_key kept) rather than being guessed.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min

from charter.crm.models import Activity, CsatResponse, Deal
from charter.org.models import Organization, OwnerAlias, Person
from charter.org.services import normalise_alias

FACT_MODELS = {"deals": Deal, "activities": Activity, "csat": CsatResponse}


def owner_key(raw: str) -> str:
    return normalise_alias(raw)[:200]


def guess_alias_kind(key: str) -> str:
    """What kind of alias an unmatched owner most likely is, as the page's default choice."""
    if "@" in key:
        return OwnerAlias.Kind.EMAIL
    if " " not in key and any(ch.isdigit() for ch in key):
        return OwnerAlias.Kind.CRM_ID
    return OwnerAlias.Kind.NAME


class OwnerMatcher:
    """Every alias, email and name of the org in memory: one lookup per row, no query."""

    def __init__(self, org: Organization) -> None:
        self.aliases: dict[str, int] = {}
        # An email alias outranks an id alias outranks a name alias for the same text.
        rank: dict[str, int] = {
            OwnerAlias.Kind.EMAIL: 0,
            OwnerAlias.Kind.CRM_ID: 1,
            OwnerAlias.Kind.NAME: 2,
        }
        found = OwnerAlias.objects.filter(org=org).values_list("kind", "value", "person_id")
        for _kind, value, person_id in sorted(found, key=lambda a: rank.get(a[0], 9), reverse=True):
            self.aliases[value] = person_id
        self.emails: dict[str, int] = {}
        names: dict[str, list[int]] = defaultdict(list)
        for pid, email, name in Person.objects.filter(org=org).values_list(
            "id", "email", "full_name"
        ):
            if email:
                self.emails[email.lower()] = pid
            names[normalise_alias(name)].append(pid)
        # Two people with one name: neither is chosen; the admin says who on the owners page.
        self.names = {key: ids[0] for key, ids in names.items() if len(ids) == 1}

    def match(self, raw: str) -> tuple[int | None, str]:
        """(person id or None, owner key) for an owner as the file writes it."""
        key = owner_key(raw)
        if not key:
            return None, ""
        person = self.aliases.get(key)
        if person is None:
            person = self.emails.get(key) if "@" in key else self.names.get(key)
        return person, key


@dataclass
class UnmatchedOwner:
    """One owner key nobody has claimed yet, with how many records of each kind carry it."""

    key: str
    raw: str
    counts: dict[str, int] = field(default_factory=dict)
    sources: set[str] = field(default_factory=set)
    last_seen: object = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def suggested_kind(self) -> str:
        return guess_alias_kind(self.key)


def unmatched_owners(*, org: Organization) -> list[UnmatchedOwner]:
    """Owner keys of records without a person, most records first (three grouped queries)."""
    found: dict[str, UnmatchedOwner] = {}
    for kind, model in FACT_MODELS.items():
        groups = (
            model._default_manager.filter(org=org, owner__isnull=True)
            .exclude(owner_key="")
            .values("owner_key", "source")
            .annotate(n=Count("id"), raw=Min("owner_raw"), last=Max("updated_at"))
        )
        for g in groups:
            item = found.setdefault(
                g["owner_key"], UnmatchedOwner(key=g["owner_key"], raw=g["raw"])
            )
            item.counts[kind] = item.counts.get(kind, 0) + g["n"]
            item.sources.add(g["source"])
            if item.last_seen is None or g["last"] > item.last_seen:
                item.last_seen = g["last"]
    return sorted(found.values(), key=lambda o: (-o.total, o.key))


def unmatched_count(*, org: Organization, key: str) -> dict[str, int]:
    return {
        kind: model._default_manager.filter(org=org, owner__isnull=True, owner_key=key).count()
        for kind, model in FACT_MODELS.items()
    }


# -- suggestions for the owners page ----------------------------------------------------------

_LETTERS = re.compile(r"[^\W\d_]+")
SUGGESTIONS = 3


@dataclass(frozen=True)
class Candidate:
    """A person an unmatched owner might be, as plain data."""

    id: int
    full_name: str
    email: str = ""


def _plain(text: str) -> str:
    """Lower case without accents: "Zoë" and "zoe" are the same word in an export."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str) -> list[str]:
    return _LETTERS.findall(_plain(text))


def _joined_forms(name: list[str]) -> set[str]:
    """How an export glues a name into one word: tjackson, tyronejackson, jacksont."""
    if len(name) < 2:
        return set()
    first, last = name[0], name[-1]
    return {first[0] + last, first + last, last + first[0], last + first}


def suggestion_score(owner: str, person: Candidate) -> int:
    """How much `owner` (as an export writes it: an email, a login, a name) looks like
    `person`; 0 when nothing but initials or nothing at all agrees."""
    local = owner.split("@", 1)[0] if "@" in owner else owner
    words = _words(local)
    name = _words(person.full_name)
    if not words or not name:
        return 0
    email_local = person.email.split("@", 1)[0].casefold() if person.email else ""
    if email_local and _plain(local) == email_local:
        return 10
    score, strong = 0, False
    glued = _joined_forms(name)
    for word in words:
        if len(word) == 1:
            # An initial agrees with a name word or, when no word starts with it, counts against.
            score += 1 if any(n.startswith(word) for n in name) else -1
        elif word in name:
            score, strong = score + 3, True
        elif word in glued:
            score, strong = score + 4, True
        elif len(word) >= 3 and any(n.startswith(word) for n in name):
            score, strong = score + 2, True
    return max(score, 1) if strong else 0


def suggest_people(
    owner: str, people: Iterable[Candidate], *, limit: int = SUGGESTIONS
) -> list[Candidate]:
    """The people `owner` most likely is, best first: "t.jackson@acme.com" suggests Tyrone
    Jackson before Mary Jackson; at most `limit`, none when nobody looks like it."""
    scored = [(suggestion_score(owner, p), p) for p in people]
    ranked = sorted((s for s in scored if s[0] > 0), key=lambda s: (-s[0], s[1].full_name, s[1].id))
    return [p for _, p in ranked[:limit]]


def search_people(query: str, people: Iterable[Candidate]) -> list[Candidate]:
    """People whose name or email holds every word of `query` (accents and case ignored)."""
    wanted = _plain(query).split()
    return [p for p in people if all(w in _plain(f"{p.full_name} {p.email}") for w in wanted)]


def picker_choices(
    owner: str, people: Sequence[Candidate], *, query: str = ""
) -> tuple[list[Candidate], list[Candidate]]:
    """(suggested, the others) for the person picker of `owner`, both narrowed by `query`."""
    shown = search_people(query, people) if query.strip() else list(people)
    suggested = suggest_people(owner, shown)
    taken = {p.id for p in suggested}
    return suggested, [p for p in shown if p.id not in taken]
