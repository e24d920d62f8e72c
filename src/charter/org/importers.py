"""Importers of the org app: `charter import people FILE` and the people upload page.

A row updates the person with the same email (or, without an email, the same exact name) and
creates a new person otherwise. A blank cell leaves that field of an existing person as it is,
so re-importing an export never wipes anything, and the same file twice changes nothing.
Every write goes through `org.services`, so every change is validated and audited.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse

from charter.core.imports import (
    ApplyError,
    CleanRow,
    Counts,
    Field,
    Importer,
    ImportOption,
    Issue,
    Row,
    choice,
    date,
    email,
    text,
)
from charter.core.models import ImportRun
from charter.core.registry import register_importer
from charter.org import services
from charter.org.models import Person, Role, Team

ROLE_SPELLINGS = {
    **{value: value for value in Role.values},
    **{str(label): value for value, label in Role.choices},
    "representative": Role.REP,
    "sales representative": Role.REP,
    "salesperson": Role.REP,
    "administrator": Role.ADMIN,
    "exec": Role.EXECUTIVE,
}
ACCEPTED_ROLES = (
    "rep, manager, admin or executive (or "
    + ", ".join(repr(str(label)) for label in Role.labels)
    + ")"
)

# ("row", row number) for a person described by the file, ("person", id) for one only in Charter.
Node = tuple[str, int]


@dataclass(frozen=True)
class PersonRow:
    name: str
    email: str
    title: str | None  # None: the file says nothing, keep what Charter has
    role: str | None
    team: str | None  # case-folded team name
    manager: str | None  # an email or a name, resolved by `check`
    hire_date: dt.date | None
    target: int | None  # the existing person this row updates


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _rows_text(numbers: Iterable[int]) -> str:
    ordered = sorted(set(numbers))
    label = "row" if len(ordered) == 1 else "rows"
    return f"{label} {', '.join(str(n) for n in ordered)}"


@register_importer
class PeopleImporter(Importer[PersonRow]):
    name = "people"
    label = "people"
    fields = (
        Field(
            "name",
            "Name",
            required=True,
            aliases=("Full name", "Person", "Employee", "Employee name", "Display name"),
            parse=text(max_length=200),
        ),
        Field(
            "email",
            "Email",
            aliases=("E-mail", "Email address", "Work email", "Mail"),
            parse=email(),
            help="Optional until the person is invited; unique.",
        ),
        Field("title", "Title", aliases=("Job title", "Position"), parse=text(max_length=120)),
        Field(
            "role",
            "Role",
            aliases=("Charter role", "Access role"),
            parse=choice(ROLE_SPELLINGS, accepted=ACCEPTED_ROLES),
            help="rep, manager, admin or executive; blank means rep for a new person.",
        ),
        Field(
            "team",
            "Team",
            aliases=("Team name", "Sales team", "Department", "Group"),
            parse=text(max_length=120),
            help="An existing team, unless missing teams may be created (--create-teams).",
        ),
        Field(
            "manager",
            "Manager",
            aliases=("Manager email", "Manager name", "Reports to", "Supervisor", "Line manager"),
            parse=text(max_length=254),
            help="The manager's email or name, in this file or already in Charter.",
        ),
        Field(
            "hire_date",
            "Hire date",
            aliases=("Hired", "Hired on", "Date hired", "Start date", "Joined"),
            parse=date(),
            help="2024-03-31, 31.03.2024, 31 Mar 2024 or an Excel date; 03/04/2024 is ambiguous.",
        ),
    )
    options = (
        ImportOption(
            name="create_teams",
            label="Create missing teams",
            help="create the teams the file names that do not exist yet",
        ),
    )

    def prepare(self) -> None:
        self.teams: dict[str, Team] = {
            t.name.casefold(): t for t in Team.objects.filter(org=self.org)
        }
        self.new_teams: dict[str, str] = {}
        people = Person.objects.filter(org=self.org).values(
            "id", "full_name", "email", "manager_id", "is_active"
        )
        self.existing: dict[int, dict[str, Any]] = {p["id"]: dict(p) for p in people}
        self.by_email: dict[str, int] = {}
        self.by_exact_name: dict[str, list[int]] = defaultdict(list)
        self.by_name: dict[str, list[int]] = defaultdict(list)
        for p in self.existing.values():
            if p["email"]:
                self.by_email[p["email"].lower()] = p["id"]
            self.by_exact_name[" ".join(p["full_name"].split())].append(p["id"])
            self.by_name[_name_key(p["full_name"])].append(p["id"])
        # Name and email of every row, valid or not, so references to a broken row can say so.
        self.identities: dict[int, tuple[str, str]] = {}
        # The manager named on every row, valid or not: an unknown manager is reported even
        # on a row that has other problems, so one pass shows every error.
        self.references: dict[int, str] = {}
        self.rows: dict[int, PersonRow] = {}
        self.resolved: dict[int, Node] = {}
        self.row_of_person: dict[int, int] = {}

    # -- one row --------------------------------------------------------------------------

    def clean(self, row: Row) -> PersonRow:
        name: str = row["name"] or ""
        mail: str = row["email"] or ""
        raw_mail = "" if row["email"] or not row.given("email") else str(row.raw["email"])
        self.identities[row.number] = (
            name or " ".join(str(row.raw.get("name") or "").split()),
            mail or raw_mail.strip().lower(),
        )
        team_key = None
        if row["team"]:
            team_key = row["team"].casefold()
            if team_key not in self.teams:
                if self.option("create_teams"):
                    self.new_teams.setdefault(team_key, row["team"])
                else:
                    row.error(
                        "team",
                        f"there is no team called {row['team']!r} in Charter; create it first "
                        "or allow creating missing teams (--create-teams)",
                    )
        manager: str | None = row["manager"]
        if manager and name and (_name_key(manager) == _name_key(name) or manager.lower() == mail):
            row.error("manager", "a person cannot be their own manager")
        elif manager:
            self.references[row.number] = manager
        target = self._match(row, name, mail) if name else None
        return PersonRow(
            name=name,
            email=mail,
            title=row["title"],
            role=row["role"],
            team=team_key,
            manager=manager,
            hire_date=row["hire_date"],
            target=target,
        )

    def _match(self, row: Row, name: str, mail: str) -> int | None:
        if mail:
            found = self.by_email.get(mail)
            if found is not None:
                return found
            # Someone entered earlier without an email gets it now rather than a twin.
            unnamed = [p for p in self.by_exact_name.get(name, []) if not self.existing[p]["email"]]
            return unnamed[0] if len(unnamed) == 1 else None
        same = self.by_exact_name.get(name, [])
        if len(same) > 1:
            row.error(
                "name",
                f"{len(same)} people in Charter are called {name!r}; add an email column so "
                "the row says which one",
            )
            return None
        return same[0] if same else None

    # -- across rows ----------------------------------------------------------------------

    def check(self, rows: Iterable[CleanRow[PersonRow]]) -> Iterable[Issue]:
        self.rows = {r.number: r.data for r in rows}
        issues: list[Issue] = []
        flagged: set[int] = set()

        def add(number: int, field: str, value: Any, reason: str) -> None:
            issues.append(self.issue(number, field, value, reason))
            flagged.add(number)

        self._check_duplicates(add)
        self.row_of_person = {
            d.target: n for n, d in self.rows.items() if d.target is not None and n not in flagged
        }
        self._resolve_managers(add)
        while True:
            before = len(flagged)
            excluded = flagged if self.skip_invalid else set()
            self._check_cycles(add, excluded)
            if self.skip_invalid:
                self._cascade(add, flagged)
            if len(flagged) == before or not self.skip_invalid:
                break
        return issues

    def _check_duplicates(self, add: Any) -> None:
        valid = self.rows
        by_email: dict[str, list[int]] = defaultdict(list)
        by_bare_name: dict[str, list[int]] = defaultdict(list)
        for number, (name, mail) in sorted(self.identities.items()):
            if mail:
                by_email[mail].append(number)
            elif name:
                by_bare_name[" ".join(name.split())].append(number)
        for mail, numbers in by_email.items():
            if len(numbers) > 1:
                for n in numbers:
                    others = _rows_text(m for m in numbers if m != n)
                    add(
                        n,
                        "email",
                        mail,
                        f"{mail} is also on {others}; each person may appear only once",
                    )
        for name, numbers in by_bare_name.items():
            if len(numbers) > 1:
                for n in numbers:
                    others = _rows_text(m for m in numbers if m != n)
                    add(
                        n,
                        "name",
                        name,
                        f"{name!r} is also on {others} and no email tells them apart",
                    )
        by_target: dict[int, list[int]] = defaultdict(list)
        for number, data in valid.items():
            if data.target is not None:
                by_target[data.target].append(number)
        for target, numbers in by_target.items():
            if len(numbers) > 1:
                who = self.existing[target]
                for n in numbers:
                    others = _rows_text(m for m in numbers if m != n)
                    add(
                        n,
                        "name",
                        valid[n].name,
                        f"this row and {others} both match {who['full_name']} "
                        f"({who['email'] or 'no email'}) in Charter",
                    )

    def _resolve_managers(self, add: Any) -> None:
        file_by_email: dict[str, list[int]] = defaultdict(list)
        file_by_name: dict[str, list[int]] = defaultdict(list)
        for number, (name, mail) in self.identities.items():
            if mail:
                file_by_email[mail].append(number)
            if name:
                file_by_name[_name_key(name)].append(number)
        for number, ref in sorted(self.references.items()):
            data = self.rows.get(number)
            target = data.target if data is not None else None
            if "@" in ref:
                key, what = ref.strip().lower(), "email"
                in_file = file_by_email.get(key, [])
                in_db = [self.by_email[key]] if key in self.by_email else []
            else:
                key, what = _name_key(ref), "name"
                in_file = file_by_name.get(key, [])
                in_db = self.by_name.get(key, [])
            nodes: list[Node] = [("row", n) for n in sorted(set(in_file))]
            for pid in in_db:
                row = self.row_of_person.get(pid)
                node: Node = ("row", row) if row is not None else ("person", pid)
                if node not in nodes:
                    nodes.append(node)
            if ("row", number) in nodes or (target is not None and ("person", target) in nodes):
                add(number, "manager", ref, "a person cannot be their own manager")
            elif not nodes:
                add(
                    number,
                    "manager",
                    ref,
                    f"unknown manager {ref!r}: nobody in the file or in Charter has that {what}",
                )
            elif len(nodes) > 1:
                found = ", ".join(self._describe(n) for n in nodes)
                add(
                    number,
                    "manager",
                    ref,
                    f"the manager {ref!r} is ambiguous: it matches {found}; use their email",
                )
            elif data is None:
                continue  # the row is invalid anyway; only its unknown manager was worth saying
            elif nodes[0][0] == "row":
                other = nodes[0][1]
                if other in self.rows:
                    self.resolved[number] = ("row", other)
                elif self.skip_invalid:
                    add(
                        number,
                        "manager",
                        ref,
                        f"the manager {ref!r} is on row {other}, which has errors and is skipped",
                    )
            else:
                person = self.existing[nodes[0][1]]
                if not person["is_active"]:
                    add(
                        number,
                        "manager",
                        ref,
                        f"{person['full_name']} is deactivated in Charter; choose someone who "
                        "is still here",
                    )
                else:
                    self.resolved[number] = ("person", person["id"])

    def _describe(self, node: Node) -> str:
        kind, key = node
        if kind == "row":
            return f"row {key}"
        person = self.existing[key]
        return f"{person['full_name']} ({person['email'] or 'no email'}) in Charter"

    def _parent(self, node: Node, included: set[int]) -> Node | None:
        """Whom `node` reports to once the rows in `included` are applied."""
        kind, key = node
        if kind == "row":
            data = self.rows[key]
            if data.manager:
                return self.resolved.get(key)
            if data.target is None:
                return None
            manager_id = self.existing[data.target]["manager_id"]
        else:
            manager_id = self.existing[key]["manager_id"]
        if manager_id is None:
            return None
        row = self.row_of_person.get(manager_id)
        if row is not None and row in included:
            return ("row", row)
        return ("person", manager_id)

    def _label(self, node: Node) -> str:
        kind, key = node
        if kind == "row":
            return f"{self.rows[key].name} (row {key})"
        return f"{self.existing[key]['full_name']} (in Charter)"

    def _check_cycles(self, add: Any, excluded: set[int]) -> None:
        included = set(self.rows) - excluded
        done: set[Node] = set()
        for start in sorted(included):
            path: list[Node] = []
            on_path: dict[Node, int] = {}
            node: Node | None = ("row", start)
            while node is not None and node not in done and node not in on_path:
                on_path[node] = len(path)
                path.append(node)
                node = self._parent(node, included)
            if node is not None and node in on_path:
                cycle = path[on_path[node] :]
                chain = " → ".join(self._label(n) for n in [*cycle, cycle[0]])
                for kind, key in cycle:
                    if kind == "row" and key not in excluded:
                        add(
                            key,
                            "manager",
                            self.rows[key].manager or "",
                            f"reporting cycle: {chain}, each reporting to the next",
                        )
            done.update(path)

    def _cascade(self, add: Any, flagged: set[int]) -> None:
        """With invalid rows skipped, people whose manager is on a skipped row are skipped too."""
        changed = True
        while changed:
            changed = False
            for number, (kind, key) in self.resolved.items():
                if kind == "row" and key in flagged and number not in flagged:
                    add(
                        number,
                        "manager",
                        self.rows[number].manager,
                        f"the manager {self.rows[number].manager!r} is on row {key}, which has "
                        "errors and is skipped",
                    )
                    changed = True

    # -- writing --------------------------------------------------------------------------

    def apply(self, rows: Iterable[CleanRow[PersonRow]]) -> Counts:
        applied = {r.number: r.data for r in rows}
        included = set(applied)
        self._create_teams(applied)
        depth = self._depths(included)
        wanted = {d.target for d in applied.values() if d.target is not None}
        wanted |= {key for n, (kind, key) in self.resolved.items() if kind == "person"}
        people = Person.objects.select_related("org", "user").in_bulk(wanted)
        by_row: dict[int, Person] = {}
        counts = Counts()
        for number in sorted(applied, key=lambda n: (depth[n], n)):
            data = applied[number]
            manager: Person | None = None
            if data.manager:
                kind, key = self.resolved[number]
                manager = by_row[key] if kind == "row" else people[key]
            team = self.teams[data.team] if data.team else None
            try:
                if data.target is None:
                    by_row[number] = services.person_create(
                        org=self.org,
                        actor=self.actor,
                        full_name=data.name,
                        email=data.email,
                        title=data.title or "",
                        role=data.role or Role.REP,
                        team=team,
                        manager=manager,
                        hire_date=data.hire_date,
                    )
                    counts.created += 1
                    continue
                person = people[data.target]
                changes = self._changes(person, data, team, manager)
                if changes:
                    services.person_update(person=person, actor=self.actor, **changes)
                    counts.updated += 1
                else:
                    counts.unchanged += 1
                by_row[number] = person
            except ValidationError as exc:
                raise ApplyError([self._refusal(number, data, exc)]) from exc
        return counts

    def _create_teams(self, applied: dict[int, PersonRow]) -> None:
        for number, data in sorted(applied.items()):
            if data.team and data.team not in self.teams:
                name = self.new_teams[data.team]
                try:
                    self.teams[data.team] = services.team_create(
                        org=self.org, name=name, actor=self.actor
                    )
                except ValidationError as exc:
                    raise ApplyError(
                        [self.issue(number, "team", name, "; ".join(exc.messages))]
                    ) from exc

    def _depths(self, included: set[int]) -> dict[int, int]:
        """How far below the top each row sits once applied: managers are written first."""
        depth: dict[Node, int] = {}
        limit = len(included) + len(self.existing) + 1
        for number in included:
            chain: list[Node] = []
            node: Node | None = ("row", number)
            while node is not None and node not in depth:
                chain.append(node)
                if len(chain) > limit:
                    raise ApplyError(
                        [self.issue(number, "manager", "", "the reporting lines form a cycle")]
                    )
                node = self._parent(node, included)
            base = -1 if node is None else depth[node]
            for offset, item in enumerate(reversed(chain), start=1):
                depth[item] = base + offset
        return {n: depth[("row", n)] for n in included}

    @staticmethod
    def _changes(
        person: Person, data: PersonRow, team: Team | None, manager: Person | None
    ) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        if data.name != person.full_name:
            changes["full_name"] = data.name
        if data.email and data.email != person.email:
            changes["email"] = data.email
        if data.title is not None and data.title != person.title:
            changes["title"] = data.title
        if data.role is not None and data.role != person.role:
            changes["role"] = data.role
        if team is not None and team.pk != person.team_id:
            changes["team"] = team
        if manager is not None and manager.pk != person.manager_id:
            changes["manager"] = manager
        if data.hire_date is not None and data.hire_date != person.hire_date:
            changes["hire_date"] = data.hire_date
        return changes

    def _refusal(self, number: int, data: PersonRow, exc: ValidationError) -> Issue:
        field_names = {"full_name": "name"}
        if hasattr(exc, "error_dict"):
            key, messages = next(iter(exc.message_dict.items()))
            field = field_names.get(key, key)
            value = getattr(data, field, "") if field in PersonRow.__dataclass_fields__ else ""
            return self.issue(number, field, value or "", "; ".join(messages))
        return self.issue(number, "", "", "; ".join(exc.messages))

    @classmethod
    def result_url(cls, run: ImportRun) -> str:
        return reverse("org:import_run", args=[run.pk])
