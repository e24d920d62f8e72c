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
from functools import cache
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


@cache
def _plan(model: type[Model], using: str) -> _Plan:
    connection = connections[using]
    fields = model._meta.concrete_fields
    conversions = []
    for index, field in enumerate(fields):
        column = field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            conversions.append((index, found, column))
    plain = model.__init__ is Model.__init__ and all(
        type(inspect.getattr_static(model, field.attname, None)) in _PLAIN_DESCRIPTORS
        for field in fields
    )
    attnames = [field.attname for field in fields]
    return _Plan(attnames, attnames.index(model._meta.pk.attname), conversions, plain)


def instance(model: type[M], values: Sequence[Any], using: str = "default") -> M | None:
    """The instance a row's slice of `columns(model, …)` describes; None when its primary key
    is NULL (the other side of a LEFT JOIN that found nothing)."""
    plan = _plan(model, using)
    if values[plan.pk_index] is None:
        return None
    if len(values) != len(plan.attnames):
        raise ValueError(f"{model.__name__} has {len(plan.attnames)} columns, not {len(values)}.")
    converted = list(values)
    if plan.conversions:
        connection = connections[using]
        for index, functions, column in plan.conversions:
            value = converted[index]
            for function in functions:
                value = function(value, column, connection)
            converted[index] = value
    if not plan.plain or pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model.from_db(using, plan.attnames, converted)
    return _built(model, plan, using, converted)


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
