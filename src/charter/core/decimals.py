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

from decimal import Decimal

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
