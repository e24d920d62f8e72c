"""The data version (`org.versions`) goes up with every change a scorecard can show, because each
service that makes one says so, not a model signal (a `QuerySet.update()` sends none).

Two checks. Every service that changes facts, rollups, targets, KPIs, people, teams, the
organization or closes is called on real data and must move its organization's version. And a
reading of the source: no function outside the tests writes those models (`save`, `delete`,
`create`, `update`, `bulk_create`, … on the model, its manager, a queryset or an instance) without
calling `data_version_bump`, and every function that does is among the services called here.
"""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db.models import Model

import charter
from charter.conftest import deal_fact
from charter.core.periods import parse_period
from charter.crm import services as crm_services
from charter.crm.models import Activity, CsatResponse, Deal
from charter.kpis import rollups
from charter.kpis import services as kpi_services
from charter.kpis.demo_clock import backdate_revisions
from charter.kpis.models import (
    DailyMetrics,
    KpiDefinition,
    KpiVersion,
    MonthlyMetrics,
    PeriodClose,
    ScorecardSettings,
    ScorecardSnapshot,
    SeasonalityProfile,
    Target,
    TargetRevision,
)
from charter.org import services as org_services
from charter.org.models import Organization, Person, Role, Team
from charter.org.versions import data_version
from tests.data_version_learning import LEARNING_MODELS, LEARNING_SERVICES

# What a scorecard is computed from or shows. (Not exchange rates: a deal keeps the reporting
# amount it was imported with. Not owner aliases: they count once `owner_resolve` moves facts.)
SCORECARD_MODELS: tuple[type[Model], ...] = (
    Organization,
    Team,
    Person,
    Deal,
    Activity,
    CsatResponse,
    DailyMetrics,
    MonthlyMetrics,
    KpiDefinition,
    KpiVersion,
    Target,
    TargetRevision,
    PeriodClose,
    ScorecardSnapshot,
    ScorecardSettings,
    # How a longer period's target is shared: a month's derived target moves with it.
    SeasonalityProfile,
    *LEARNING_MODELS,
)
BUMP = "data_version_bump"
SOURCE = Path(charter.__file__).parent
TODAY = dt.datetime(2017, 5, 15, 12, 0, tzinfo=dt.UTC)
Q1 = parse_period("2017-Q1")
Q2 = parse_period("2017-Q2")


# -- the services, called ----------------------------------------------------------------------


@dataclass
class World:
    org: Organization
    admin: Person
    manager: Person
    rep: Person
    teams: dict[str, Team]


def deal_row(eid: str, owner: Person, amount: str) -> dict[str, Any]:
    return deal_fact(eid, owner, amount, created=dt.date(2017, 1, 10), closed=dt.date(2017, 2, 10))


def upsert_deals(w: World, *rows: dict[str, Any]) -> None:
    crm_services.facts_upsert(model=Deal, org=w.org, source="file", rows=rows, run=None)


def revenue(w: World) -> KpiDefinition:
    return KpiDefinition.objects.get(org=w.org, key="revenue_won")


def _organization_update(w: World) -> None:
    org_services.organization_update(org=w.org, actor=w.admin.user, fiscal_year_start_month=4)


def _team_create(w: World) -> None:
    org_services.team_create(org=w.org, name="North", actor=w.admin.user)


def _team_update(w: World) -> None:
    team = w.teams["west_mm"]
    org_services.team_update(team=team, actor=w.admin.user, name=team.name, parent=None)


def _person_create(w: World) -> None:
    org_services.person_create(org=w.org, actor=w.admin.user, full_name="Nora New", role=Role.REP)


def _person_update(w: World) -> None:
    org_services.person_update(person=w.rep, actor=w.admin.user, team=w.teams["west_mm"])


def _person_deactivate(w: World) -> None:
    org_services.person_deactivate(person=w.rep, actor=w.admin.user)


def _person_reactivate(w: World) -> None:
    org_services.person_deactivate(person=w.rep, actor=w.admin.user)
    before = data_version(w.org.pk)
    org_services.person_reactivate(person=w.rep, actor=w.admin.user)
    assert data_version(w.org.pk) > before


def _person_invite(w: World) -> None:
    person = org_services.person_create(
        org=w.org, actor=w.admin.user, full_name="Ivy Invited", email="ivy@acme.test"
    )
    before = data_version(w.org.pk)
    org_services.person_invite(person=person, actor=w.admin.user)
    assert data_version(w.org.pk) > before


def _person_login_create(w: World) -> None:
    person = org_services.person_create(
        org=w.org, actor=w.admin.user, full_name="Lou Login", email="lou@acme.test"
    )
    before = data_version(w.org.pk)
    org_services.person_login_create(person=person, actor=None, password="a long demo password")
    assert data_version(w.org.pk) > before


def _facts_upsert_creates(w: World) -> None:
    upsert_deals(w, deal_row("D-1", w.rep, "1000"))


def _facts_upsert_updates(w: World) -> None:
    upsert_deals(w, deal_row("D-1", w.rep, "1000"))
    before = data_version(w.org.pk)
    upsert_deals(w, deal_row("D-1", w.rep, "1200"))
    assert data_version(w.org.pk) > before


def _facts_upsert_activities(w: World) -> None:
    row = {
        "external_id": "A-1",
        "owner_id": w.rep.pk,
        "kind": "call",
        "occurred_at": dt.datetime(2017, 5, 2, 9, 0, tzinfo=dt.UTC),
    }
    crm_services.facts_upsert(model=Activity, org=w.org, source="file", rows=[row], run=None)


def _facts_upsert_csat(w: World) -> None:
    row = {
        "external_id": "C-1",
        "owner_id": w.rep.pk,
        "score": Decimal(4),
        "scale": 5,
        "date": dt.date(2017, 5, 2),
    }
    crm_services.facts_upsert(model=CsatResponse, org=w.org, source="file", rows=[row], run=None)


def _owner_resolve(w: World) -> None:
    unmatched = deal_row("D-9", w.rep, "900") | {"owner_id": None, "owner_key": "j. okafor"}
    upsert_deals(w, unmatched)
    before = data_version(w.org.pk)
    crm_services.owner_resolve(org=w.org, key="J. Okafor", person=w.rep, actor=w.admin.user)
    assert data_version(w.org.pk) > before


def _owner_resolve_new_person(w: World) -> None:
    unmatched = deal_row("D-9", w.rep, "900") | {"owner_id": None, "owner_key": "j. okafor"}
    upsert_deals(w, unmatched)
    before = data_version(w.org.pk)
    crm_services.owner_resolve_new_person(
        org=w.org, key="J. Okafor", full_name="Jo Okafor", email="", actor=w.admin.user
    )
    assert data_version(w.org.pk) > before


def _kpi_library_ensure(w: World) -> None:
    KpiDefinition.objects.filter(org=w.org, key="deals_lost").delete()
    before = data_version(w.org.pk)
    assert kpi_services.kpi_library_ensure(org=w.org, actor=w.admin.user) == 1
    assert data_version(w.org.pk) > before


def _kpi_create(w: World) -> None:
    kpi_services.kpi_create(
        org=w.org,
        key="calls_per_win",
        actor=w.admin.user,
        effective_from=Q2.start,
        name="Calls per win",
        formula="activities_call_count / deals_won_count",
        unit="count",
    )


def _kpi_revise(w: World) -> None:
    kpi_services.kpi_revise(
        definition=revenue(w),
        actor=w.admin.user,
        effective_from=Q2.start,
        reason="Revenue counts twice as much",
        weight=Decimal(2),
    )


def _target_set(w: World) -> None:
    kpi_services.target_set(
        org=w.org, kpi=revenue(w), period=Q2, value=5000, actor=w.admin.user, person=w.rep
    )


def _backdate_revisions(w: World) -> None:
    _target_set(w)
    before = data_version(w.org.pk)
    assert backdate_revisions(org=w.org) == 1
    assert data_version(w.org.pk) > before


def _seasonality_set(w: World) -> None:
    kpi_services.seasonality_set(
        kpi=revenue(w),
        actor=w.admin.user,
        method="shares",
        shares=["1"] * 11 + ["2"],
        effective_from=Q2.start,
        reason="December closes the year",
    )


def _period_close(w: World) -> None:
    kpi_services.period_close(org=w.org, period=Q1, actor=w.admin.user)


def _scorecard_settings_update(w: World) -> None:
    kpi_services.scorecard_settings_update(
        org=w.org, actor=w.admin.user, leaderboard_visibility="everyone"
    )


def _rollups_rebuild(w: World) -> None:
    rollups.rebuild(org=w.org)


def _rollups_rebuild_people(w: World) -> None:
    rollups.rebuild_people(org=w.org, person_ids=[w.rep.pk])


# Every service that changes what a scorecard shows, by its qualified name; the source reading
# below fails for a function that writes scorecard models and is not here.
SERVICES: dict[str, Callable[[World], None]] = {
    "charter.org.services.organization_update": _organization_update,
    "charter.org.services.team_create": _team_create,
    "charter.org.services.team_update": _team_update,
    "charter.org.services.person_create": _person_create,
    "charter.org.services.person_update": _person_update,
    "charter.org.services.person_deactivate": _person_deactivate,
    "charter.org.services.person_reactivate": _person_reactivate,
    "charter.org.services.person_invite": _person_invite,
    "charter.org.services.person_login_create": _person_login_create,
    "charter.crm.services.facts_upsert": _facts_upsert_creates,
    "charter.crm.services.facts_upsert (an update)": _facts_upsert_updates,
    "charter.crm.services.facts_upsert (activities)": _facts_upsert_activities,
    "charter.crm.services.facts_upsert (CSAT)": _facts_upsert_csat,
    "charter.crm.services.owner_resolve": _owner_resolve,
    "charter.crm.services.owner_resolve_new_person": _owner_resolve_new_person,
    "charter.kpis.services.kpi_library_ensure": _kpi_library_ensure,
    "charter.kpis.services.kpi_create": _kpi_create,
    "charter.kpis.services.kpi_revise": _kpi_revise,
    "charter.kpis.services.target_set": _target_set,
    "charter.kpis.services.seasonality_set": _seasonality_set,
    "charter.kpis.demo_clock.backdate_revisions": _backdate_revisions,
    "charter.kpis.services.period_close": _period_close,
    "charter.kpis.services.scorecard_settings_update": _scorecard_settings_update,
    "charter.kpis.rollups.rebuild": _rollups_rebuild,
    "charter.kpis.rollups.rebuild_people": _rollups_rebuild_people,
    **LEARNING_SERVICES,
}
# Called by a test of its own: it starts another organization's number.
CALLED_ELSEWHERE = {"charter.org.services.organization_create"}


@pytest.fixture
def world(
    org: Organization,
    teams: dict[str, Team],
    admin: Person,
    manager: Person,
    rep: Person,
) -> Iterator[World]:
    with time_machine.travel(TODAY, tick=False):
        yield World(org=org, admin=admin, manager=manager, rep=rep, teams=teams)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SERVICES))
def test_the_service_raises_the_data_version(world: World, name: str) -> None:
    before = data_version(world.org.pk)
    SERVICES[name](world)
    assert data_version(world.org.pk) > before


@pytest.mark.django_db
def test_a_new_organization_starts_with_a_version_of_its_own(world: World) -> None:
    other = org_services.organization_create(name="Initech", actor=None)
    assert data_version(other.pk) > 0
    before = data_version(world.org.pk)
    org_services.organization_update(org=other, actor=None, time_zone="Europe/Paris")
    # Each organization's pages are keyed on its own number.
    assert data_version(world.org.pk) == before


@pytest.mark.django_db
def test_a_write_that_changes_nothing_leaves_the_version(world: World) -> None:
    upsert_deals(world, deal_row("D-1", world.rep, "1000"))
    team = world.teams["west_mm"]
    before = data_version(world.org.pk)
    upsert_deals(world, deal_row("D-1", world.rep, "1000"))
    org_services.team_update(team=team, actor=None, name=team.name, parent=team.parent)
    org_services.person_reactivate(person=world.rep, actor=None)
    assert data_version(world.org.pk) == before


# -- the source, read --------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """What an expression is, as far as the reading can tell: a model class, a manager or
    queryset of it, one instance, a (instance, created) pair, or a collection of instances.
    `model` None: a manager reached through `_default_manager` of a model chosen at run time."""

    what: str
    model: type[Model] | None


@dataclass(frozen=True)
class Write:
    function: str
    line: int
    model: str
    bumps: bool

    def __str__(self) -> str:
        return f"{self.function} (line {self.line}) writes {self.model}"


CHAINED = frozenset(
    {
        "all",
        "filter",
        "exclude",
        "select_for_update",
        "select_related",
        "prefetch_related",
        "only",
        "defer",
        "order_by",
        "annotate",
        "alias",
        "distinct",
        "using",
    }
)
ONE = frozenset({"get", "create", "first", "last", "earliest", "latest"})
PAIR = frozenset({"get_or_create", "update_or_create"})
MANAGER_WRITES = frozenset({"update", "delete", "create", "bulk_create", "bulk_update"} | PAIR)
INSTANCE_WRITES = frozenset({"save", "delete"})
COLLECTIONS = frozenset({"list", "set", "tuple", "Sequence", "Iterable", "Collection"})


class Reading:
    """The writes of one function (nested functions included) to the given models."""

    def __init__(self, node: ast.AST, models: dict[str, type[Model]]) -> None:
        self.node = node
        self.models = models
        self.names: dict[str, Kind] = {}
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for arg in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs):
                if arg.annotation is not None:
                    self._bind(arg.arg, self._annotated(arg.annotation))
        # Twice: a name bound from another bound later in the function.
        for _ in range(2):
            for sub in ast.walk(node):
                self._bindings(sub)

    def _annotated(self, annotation: ast.expr) -> Kind | None:
        outer = annotation.value if isinstance(annotation, ast.Subscript) else None
        if isinstance(outer, ast.Name) and outer.id == "type":
            return None
        collection = isinstance(outer, ast.Name) and outer.id in COLLECTIONS
        for sub in ast.walk(annotation):
            if isinstance(sub, ast.Name) and sub.id in self.models:
                return Kind("many" if collection else "one", self.models[sub.id])
        return None

    def _bind(self, name: str, kind: Kind | None) -> None:
        if kind is not None and kind.what != "class":
            self.names[name] = kind

    def _bindings(self, node: ast.AST) -> None:
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.NamedExpr) and node.value is not None:
            kind = self.kind(node.value)
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    self._bind(target.id, kind)
                elif isinstance(target, ast.Tuple) and kind is not None and kind.what == "pair":
                    first = target.elts[0]
                    if isinstance(first, ast.Name):
                        self._bind(first.id, Kind("one", kind.model))
        elif isinstance(node, ast.For | ast.comprehension) and isinstance(node.target, ast.Name):
            kind = self.kind(node.iter)
            if kind is not None and kind.what in ("manager", "many"):
                self._bind(node.target.id, Kind("one", kind.model))

    def kind(self, node: ast.expr) -> Kind | None:
        if isinstance(node, ast.Name):
            if node.id in self.models:
                return Kind("class", self.models[node.id])
            return self.names.get(node.id)
        if isinstance(node, ast.Attribute):
            if node.attr == "_default_manager":
                base = self.kind(node.value)
                return Kind("manager", base.model if base is not None else None)
            base = self.kind(node.value)
            if base is None:
                return None
            if base.what == "class" and node.attr == "objects":
                return Kind("manager", base.model)
            if base.what == "one" and base.model is not None:
                return self._related(base.model, node.attr)
            return None
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                callee = self.kind(node.func)
                if callee is not None and callee.what == "class":
                    return Kind("one", callee.model)  # Person(...)
            if isinstance(node.func, ast.Attribute):
                base = self.kind(node.func.value)
                if base is not None and base.what == "manager":
                    if node.func.attr in CHAINED:
                        return base
                    if node.func.attr in ONE:
                        return Kind("one", base.model)
                    if node.func.attr in PAIR:
                        return Kind("pair", base.model)
            return None
        if isinstance(node, ast.Subscript):
            base = self.kind(node.value)
            if base is not None and base.what == "pair":
                return Kind("one", base.model)
        return None

    def _related(self, model: type[Model], attr: str) -> Kind | None:
        """`instance.attr`: another watched instance (a foreign key) or a related manager."""
        for field in model._meta.get_fields():
            if not field.is_relation or field.related_model not in self.models.values():
                continue
            related = field.related_model
            assert isinstance(related, type)
            if field.auto_created and not field.concrete:
                accessor = field.get_accessor_name()  # type: ignore[union-attr]
                if accessor == attr:
                    return Kind("one" if field.one_to_one else "manager", related)
            elif field.name == attr:
                return Kind("manager" if field.many_to_many else "one", related)
        return None

    def writes(self) -> Iterator[tuple[int, str]]:
        for sub in ast.walk(self.node):
            if not isinstance(sub, ast.Call) or not isinstance(sub.func, ast.Attribute):
                continue
            base = self.kind(sub.func.value)
            if base is None:
                continue
            method = sub.func.attr
            if (base.what == "manager" and method in MANAGER_WRITES) or (
                base.what == "one" and method in INSTANCE_WRITES
            ):
                name = base.model.__name__ if base.model is not None else "a fact model"
                yield sub.lineno, name

    def bumps(self) -> bool:
        for sub in ast.walk(self.node):
            if isinstance(sub, ast.Call):
                func = sub.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if name == BUMP:
                    return True
        return False


def functions(tree: ast.Module, prefix: str) -> Iterator[tuple[str, ast.AST]]:
    """The module's functions and methods (nested functions are read with the one around)."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield f"{prefix}.{node.name}", node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    yield f"{prefix}.{node.name}.{item.name}", item


def read(source: str, module: str) -> list[Write]:
    models = {model.__name__: model for model in SCORECARD_MODELS}
    found = []
    for name, node in functions(ast.parse(source), module):
        reading = Reading(node, models)
        bumps = reading.bumps()
        found += [Write(name, line, model, bumps) for line, model in reading.writes()]
    return found


def read_tree() -> list[Write]:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        parts = path.relative_to(SOURCE).parts
        if "tests" in parts or "migrations" in parts or path.name == "conftest.py":
            continue
        module = ".".join(("charter", *parts)).removesuffix(".py")
        found += read(path.read_text(), module)
    return found


def test_no_function_writes_scorecard_data_without_raising_the_data_version() -> None:
    missing = [str(w) for w in read_tree() if not w.bumps]
    assert not missing, "no data_version_bump in: " + "; ".join(missing)


def test_every_function_that_writes_scorecard_data_is_called_above() -> None:
    writers = {w.function for w in read_tree()}
    called = {name.split(" ")[0] for name in SERVICES} | CALLED_ELSEWHERE
    # The services' own writers and nothing else: demos, importers, views and commands go
    # through them.
    assert writers - called == set()
    assert writers, "the reading found no writes at all"
