"""MATRIX: every URL's row, gathered from one module per app.

A URL appears in exactly one module; two modules listing the same URL name is an error here
rather than one row silently replacing the other.
"""

from __future__ import annotations

from tests.permission_matrix.outcomes import Row
from tests.permission_matrix.rows import (
    accounts,
    api,
    crm,
    development,
    expectations,
    feedback,
    kpis,
    learning,
    learning_sessions,
    meetings,
    org,
    reviews,
    web,
)

MODULES = (
    web,
    accounts,
    org,
    api,
    expectations,
    crm,
    kpis,
    learning,
    learning_sessions,
    feedback,
    development,
    meetings,
    reviews,
)


def _gather() -> dict[str, Row]:
    matrix: dict[str, Row] = {}
    for module in MODULES:
        twice = sorted(set(matrix) & set(module.ROWS))
        if twice:
            raise ValueError(f"{module.__name__} repeats rows of another module: {twice}")
        matrix.update(module.ROWS)
    return matrix


MATRIX: dict[str, Row] = _gather()
