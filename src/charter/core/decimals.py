"""Which decimals Charter can store exactly, on SQLite and PostgreSQL alike.

SQLite has no decimal type: a `DecimalField` column has NUMERIC affinity, so `12345678901234.56`
is kept as a 64-bit float, and Django reads it back through a float rounded to 15 significant
digits (`12345678901234.6`). PostgreSQL's `numeric` is exact. Rather than a storage of our own
(integer minor units or decimal text, with every query, sum and export rewritten), Charter keeps
Django's decimal columns and refuses, at every input, a value with more than 15 significant
digits: such a value is given back unchanged by both databases, a backup moves between them
without a digit changing, and a re-import finds it equal. The KPI engine is not affected either
way: its rollups are whole numbers (cents), exact on both.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import DecimalField, Model

# The digits a double-precision float holds for any decimal (DBL_DIG), which is also the
# precision Django's SQLite backend reads decimal columns back with.
EXACT_DIGITS = 15


def significant_digits(value: Decimal) -> int:
    """Digits from the first non-zero one to the last non-zero one: 1200.50 has 5."""
    if not value:
        return 1
    return len(value.normalize().as_tuple().digits)


def exact_problem(value: Decimal) -> str | None:
    """Why `value` cannot be stored exactly, or None when it can. Give the value as it will be
    stored (already rounded to its field's decimal places)."""
    if not value.is_finite():
        return "is not a number"
    digits = significant_digits(value)
    if digits > EXACT_DIGITS:
        return (
            f"has {digits} significant digits; Charter keeps numbers exactly up to "
            f"{EXACT_DIGITS}, so round it or give it in larger units"
        )
    return None


def first_unreadable(model: type[Model], *, using: str = DEFAULT_DB_ALIAS) -> Any | None:
    """The primary key of the first row of `model` holding a decimal the database cannot give
    back (one stored on SQLite before Charter refused more digits than it keeps: Django's
    reading of it raises `decimal.InvalidOperation`), or None when every row reads."""
    names = [f.name for f in model._meta.concrete_fields if isinstance(f, DecimalField)]
    if not names:
        return None
    rows = model._base_manager.using(using).order_by("pk").values_list("pk", *names)
    last = None
    try:
        for row in rows.iterator():
            last = row[0]
    except InvalidOperation:
        after = rows.filter(pk__gt=last) if last is not None else rows
        return after.values_list("pk", flat=True).first()
    return None


def field_problem(value: Decimal, field: DecimalField) -> str | None:
    """Why `value` does not fit the decimal model field `field` (more whole digits than its
    column has room for), or None when it does. PostgreSQL would refuse such a value with an
    error; SQLite would keep it, and every later read of the row would fail."""
    if not value.is_finite():
        return "is not a number"
    # Both are required of a model's DecimalField; `or 0` only satisfies the type checker.
    places = field.decimal_places or 0
    limit = Decimal(10) ** ((field.max_digits or 0) - places)
    if abs(value) >= limit or abs(value.quantize(Decimal(1).scaleb(-places))) >= limit:
        return f"must be under {limit:,}"
    return None
