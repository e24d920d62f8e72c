"""Model instances from rows of a hand-written SQL statement, converted exactly as the ORM
converts them (SQLite hands back dates as text and booleans as integers; Django's converters
turn them into what the fields hold).

For the few reads that run on every request, where building the ORM query costs more than
running it. Anything else uses the ORM.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import connections
from django.db.models import Model

M = TypeVar("M", bound=Model)

Converter = tuple[list[Callable[..., Any]], Any]


def columns(model: type[Model], alias: str, using: str = "default") -> str:
    """The model's columns, qualified by `alias`, in the order `instance` expects them."""
    quote = connections[using].ops.quote_name
    return ", ".join(f"{alias}.{quote(str(f.column))}" for f in model._meta.concrete_fields)


def table(model: type[Model], using: str = "default") -> str:
    return connections[using].ops.quote_name(model._meta.db_table)


def width(model: type[Model]) -> int:
    return len(model._meta.concrete_fields)


@cache
def _converters(model: type[Model], using: str) -> tuple[list[str], list[Converter]]:
    connection = connections[using]
    attnames, out = [], []
    for field in model._meta.concrete_fields:
        column = field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        attnames.append(field.attname)
        out.append((found, column))
    return attnames, out


def instance(model: type[M], values: Sequence[Any], using: str = "default") -> M | None:
    """The instance a row's slice of `columns(model, …)` describes; None when its primary key
    is NULL (the other side of a LEFT JOIN that found nothing)."""
    attnames, converters = _converters(model, using)
    if values[attnames.index(model._meta.pk.attname)] is None:
        return None
    connection = connections[using]
    converted = []
    for value, (functions, column) in zip(values, converters, strict=True):
        for function in functions:
            value = function(value, column, connection)
        converted.append(value)
    return model.from_db(using, attnames, converted)
