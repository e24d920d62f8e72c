"""KPI formulas: arithmetic over metric names, parsed with `ast` against a whitelist and
evaluated on Decimals. Never `eval`: a formula can only add, subtract, multiply and divide
metrics and numbers. Dividing by zero gives "no data" (None), not an error.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from charter.kpis.metrics import METRIC_KEYS

MAX_LENGTH = 500
MAX_DEPTH = 30

_OPERATORS: dict[type[ast.operator], Callable[[Decimal, Decimal], Decimal]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}


class FormulaError(ValueError):
    """A formula that cannot be used, with a message for the person who wrote it."""


@dataclass(frozen=True)
class Formula:
    text: str
    tree: ast.expr
    metrics: tuple[str, ...]  # in order of first use
    # A sum of metrics (each possibly times a number): it grows with the days of a period,
    # so it can be paced and forecast by run rate. A ratio cannot.
    additive: bool
    # The tree turned into nested closures once, at parse time: an org's scorecards evaluate
    # each formula for every person, and walking the tree with isinstance checks each time
    # costs several times more.
    _compiled: Callable[[Mapping[str, Decimal]], Decimal | None] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", _compile(self.tree))

    def evaluate(self, values: Mapping[str, Decimal]) -> Decimal | None:
        return self._compiled(values)

    @property
    def evaluator(self) -> Callable[[Mapping[str, Decimal]], Decimal | None]:
        """`evaluate` itself, for a caller that evaluates the formula thousands of times."""
        return self._compiled

    def substituted(self, values: Mapping[str, Decimal]) -> str:
        """The formula with each metric replaced by its figure: `12 / (12 + 30)`."""
        return ast.unparse(_Substitute(values).visit(_copy(self.tree)))


def _copy(tree: ast.expr) -> ast.expr:
    copied = ast.parse(ast.unparse(tree), mode="eval").body
    return copied


class _Substitute(ast.NodeTransformer):
    def __init__(self, values: Mapping[str, Decimal]) -> None:
        self.values = values

    def visit_Name(self, node: ast.Name) -> ast.AST:
        value = self.values.get(node.id)
        # A Name whose id is the figure prints as the figure, keeping unparse's parentheses.
        return ast.Name(id=_figure(value), ctx=ast.Load())


def _figure(value: Decimal | None) -> str:
    if value is None:
        return "no data"
    # Half up, as the scorecards round their figures: an explain page must show the same digits.
    normal = (
        value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if value != value.to_integral_value()
        else value
    )
    return f"{normal:f}" if normal == normal.to_integral_value() else f"{normal:.2f}"


def parse(text: str, *, known: tuple[str, ...] = METRIC_KEYS) -> Formula:
    """Check and parse a formula; FormulaError says what is wrong and where."""
    source = (text or "").strip()
    if not source:
        raise FormulaError("A formula is required, e.g. deals_won_count / deals_lost_count.")
    if len(source) > MAX_LENGTH:
        raise FormulaError(f"A formula may be at most {MAX_LENGTH} characters.")
    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError as exc:
        column = f" at character {exc.offset}" if exc.offset else ""
        raise FormulaError(f"The formula is not valid arithmetic{column}.") from None
    metrics: list[str] = []
    _check(tree, known, metrics, 0)
    return Formula(text=source, tree=tree, metrics=tuple(metrics), additive=_additive(tree))


def _check(node: ast.AST, known: tuple[str, ...], metrics: list[str], depth: int) -> None:
    if depth > MAX_DEPTH:
        raise FormulaError("The formula is nested too deeply.")
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _OPERATORS:
            raise FormulaError(
                f"{_symbol(node.op)} is not allowed: use only + - * / and parentheses."
            )
        _check(node.left, known, metrics, depth + 1)
        _check(node.right, known, metrics, depth + 1)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
        _check(node.operand, known, metrics, depth + 1)
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise FormulaError(f"{node.value!r} is not a number.")
        # 1e999 parses as infinity, which no figure can be multiplied or divided by sensibly.
        if not math.isfinite(node.value):
            raise FormulaError("A number in the formula is too large.")
    elif isinstance(node, ast.Name):
        if node.id not in known:
            raise FormulaError(f"Unknown metric {node.id!r}. Known metrics: {', '.join(known)}.")
        if node.id not in metrics:
            metrics.append(node.id)
    elif isinstance(node, ast.Call):
        raise FormulaError("Functions are not allowed: use only + - * / and parentheses.")
    else:
        raise FormulaError(
            f"{ast.unparse(node)!r} is not allowed: use metric names, numbers, + - * / and "
            "parentheses."
        )


def _symbol(op: ast.operator) -> str:
    return {
        ast.Pow: "**",
        ast.Mod: "%",
        ast.FloorDiv: "//",
        ast.MatMult: "@",
        ast.BitAnd: "&",
        ast.BitOr: "|",
        ast.BitXor: "^",
        ast.LShift: "<<",
        ast.RShift: ">>",
    }.get(type(op), type(op).__name__)


def _is_number(node: ast.AST) -> bool:
    if isinstance(node, ast.UnaryOp):
        return _is_number(node.operand)
    return isinstance(node, ast.Constant)


def _additive(node: ast.AST) -> bool:
    if isinstance(node, ast.Name):
        return True
    if isinstance(node, ast.UnaryOp):
        return _additive(node.operand)
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Add | ast.Sub):
            return _additive(node.left) and _additive(node.right)
        if isinstance(node.op, ast.Mult):
            return (_is_number(node.left) and _additive(node.right)) or (
                _is_number(node.right) and _additive(node.left)
            )
        if isinstance(node.op, ast.Div):
            return _is_number(node.right) and _additive(node.left)
    return False


Evaluator = Callable[[Mapping[str, Decimal]], Decimal | None]


def _compile(node: ast.AST) -> Evaluator:
    """A function of the metric values computing the (checked) formula `node`: a missing
    operand or a zero divisor gives None ("no data"), and so does an arithmetic error."""
    if isinstance(node, ast.Constant):
        constant = Decimal(str(node.value))
        return lambda values: constant
    if isinstance(node, ast.Name):
        name = node.id
        return lambda values: values.get(name)
    if isinstance(node, ast.UnaryOp):
        operand = _compile(node.operand)
        if isinstance(node.op, ast.USub):

            def negated(values: Mapping[str, Decimal]) -> Decimal | None:
                found = operand(values)
                return None if found is None else -found

            return negated
        return operand
    if isinstance(node, ast.BinOp):
        left, right = _compile(node.left), _compile(node.right)
        operator = _OPERATORS[type(node.op)]
        dividing = isinstance(node.op, ast.Div)

        def binary(values: Mapping[str, Decimal]) -> Decimal | None:
            a = left(values)
            if a is None:
                return None
            b = right(values)
            if b is None or (dividing and b == 0):
                return None
            try:
                return operator(a, b)
            except (InvalidOperation, ArithmeticError):
                return None

        return binary
    raise FormulaError(f"{ast.unparse(node)!r} cannot be evaluated")
