"""Model instances from rows of a hand-written SQL statement, converted exactly as the ORM
converts them (SQLite hands back dates as text and booleans as integers; Django's converters
turn them into what the fields hold).

For the few reads that run on every request, where building the ORM query costs more than
running it. Anything else uses the ORM.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, TypeVar

from django.db import connections
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

M = TypeVar("M", bound=Model)

# What stands on a model class under a field's attribute name when setting the attribute only
# stores the value in the instance's __dict__ (for a fresh instance, in the foreign key's case).
_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute)
# Fields whose converted values are immutable.
_IMMUTABLE = frozenset(
    {"BooleanField", "DateField", "DateTimeField", "DecimalField", "TimeField", "UUIDField"}
    | {"DurationField", "FloatField", "IntegerField", "BigIntegerField", "CharField"}
)


def columns(model: type[Model], alias: str, using: str = "default") -> str:
    """The model's columns, qualified by `alias`, in the order `instance` expects them."""
    quote = connections[using].ops.quote_name
    return ", ".join(f"{alias}.{quote(str(f.column))}" for f in model._meta.concrete_fields)


def table(model: type[Model], using: str = "default") -> str:
    return connections[using].ops.quote_name(model._meta.db_table)


def width(model: type[Model]) -> int:
    return len(model._meta.concrete_fields)


@dataclass(frozen=True, slots=True)
class _Plan:
    """How one model's rows become instances."""

    attnames: list[str]
    pk_index: int
    # (position in the row, Django's converters for that column, the column they are given):
    # only the columns that have any.
    conversions: list[tuple[int, list[Callable[..., Any]], Any]]
    # Whether Model.__init__ would do no more than store each value under its attribute name,
    # so an instance may be built without it (see `instance`).
    plain: bool
    # Whether converted rows may be remembered and shared by instances: every converted value
    # immutable (no JSON dict an instance could change for the others).
    memo: bool


def _converters(model: type[Model], field: Any, connection: Any) -> tuple[Any, list[Any]]:
    """A field's column and the converters Django runs on what the database gives for it."""
    column = field.get_col(model._meta.db_table)
    return column, connection.ops.get_db_converters(column) + column.get_db_converters(connection)


@cache
def _plan(model: type[Model], using: str) -> _Plan:
    connection = connections[using]
    fields = model._meta.concrete_fields
    conversions = []
    for index, field in enumerate(fields):
        column, found = _converters(model, field, connection)
        if found:
            conversions.append((index, found, column))
    plain = model.__init__ is Model.__init__ and all(
        type(inspect.getattr_static(model, field.attname, None)) in _PLAIN_DESCRIPTORS
        for field in fields
    )
    attnames = [field.attname for field in fields]
    memo = all(fields[index].get_internal_type() in _IMMUTABLE for index, _, _ in conversions)
    return _Plan(attnames, attnames.index(model._meta.pk.attname), conversions, plain, memo)


def instance(model: type[M], values: Sequence[Any], using: str = "default") -> M | None:
    """The instance a row's slice of `columns(model, …)` describes; None when its primary key
    is NULL (the other side of a LEFT JOIN that found nothing)."""
    plan = _plan(model, using)
    if values[plan.pk_index] is None:
        return None
    if len(values) != len(plan.attnames):
        raise ValueError(f"{model.__name__} has {len(plan.attnames)} columns, not {len(values)}.")
    if not plan.conversions:
        converted: Sequence[Any] = values
    elif plan.memo:
        try:
            converted = _converted(model, using, tuple(values))
        except TypeError:  # a value that cannot be a key (PostgreSQL's bytes come as memoryview)
            converted = _convert(plan, using, values)
    else:
        converted = _convert(plan, using, values)
    if not plan.plain or pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model.from_db(using, plan.attnames, converted)
    return _built(model, plan, using, converted)


@lru_cache(maxsize=4096)
def _converted(model: type[Model], using: str, values: tuple[Any, ...]) -> tuple[Any, ...]:
    # The same rows come back request after request (the signed-in user, their person and
    # organization): their values are converted once. A tuple: each instance gets its own
    # attributes from it, and nothing can change the remembered values.
    return _convert(_plan(model, using), using, values)


def _convert(plan: _Plan, using: str, values: Sequence[Any]) -> tuple[Any, ...]:
    out = list(values)
    connection = connections[using]
    for index, functions, column in plan.conversions:
        value = out[index]
        for function in functions:
            value = function(value, column, connection)
        out[index] = value
    return tuple(out)


def _built(model: type[M], plan: _Plan, using: str, values: Collection[Any]) -> M:
    # What Model.from_db ends with, without Model.__init__'s general path (keyword arguments,
    # defaults, deferred fields, signals), none of which applies here: a third of the cost of
    # reading the signed-in user on every request.
    new = model.__new__(model)
    state = ModelState()
    state.adding = False
    state.db = using
    new._state = state
    new.__dict__.update(zip(plan.attnames, values, strict=True))
    return new


def from_db(
    model: type[M],
    using: str,
    field_names: Collection[str],
    values: Collection[Any],
    **kwargs: Any,
) -> M:
    """`Model.from_db` for a model the ORM loads by the thousand (a model's `from_db` may hand
    over to this): every column loaded, already converted by the ORM, becomes an instance as
    `instance` builds one; anything else (deferred fields, a custom __init__, init signals)
    takes Django's own path."""
    plan = _plan(model, using)
    if (
        plan.plain
        and not kwargs
        and len(values) == len(plan.attnames)
        and not pre_init.has_listeners(model)
        and not post_init.has_listeners(model)
    ):
        return _built(model, plan, using, values)
    return super(model, model).from_db(using, field_names, values, **kwargs)  # type: ignore[misc]


def converted(model: type[Model], name: str, value: Any, using: str = "default") -> Any:
    """One column's value from a hand-written statement, as the ORM would hand it over."""
    connection = connections[using]
    column, functions = _converters(model, model._meta.get_field(name), connection)
    for function in functions:
        value = function(value, column, connection)
    return value
