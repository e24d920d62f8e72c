"""KPI formulas: arithmetic over metric names, parsed with `ast` against a whitelist and
evaluated on Decimals. Never `eval`: a formula can only add, subtract, multiply and divide
metrics and numbers. Dividing by zero gives "no data" (None), not an error.

`check` is for a formula someone is writing: on top of `parse`, it refuses one that could never
mean anything (no metric at all, or a divisor that is always zero). Stored formulas are read
with `parse`, so one saved before those rules still reads as it did.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from charter.kpis.registry import known_metric_keys

MAX_LENGTH = 500
# Levels of parentheses, signs and products inside sums. A run of one kind of operator
# (`a + b - c + …`, `a / b * c / …`) is one level however long it is: `ast` leans such a run
# one node deeper per operator, and counting that would refuse a long flat formula as "nested".
MAX_DEPTH = 30
TOO_DEEP = (
    f"The formula is nested too deeply: at most {MAX_DEPTH} levels of parentheses, signs and "
    "products inside sums."
)

_OPERATORS: dict[type[ast.operator], Callable[[Decimal, Decimal], Decimal]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}
# Binding strength, as `ast.unparse` ranks it: it decides where a formula written back out
# needs parentheses.
_SUM, _PRODUCT, _SIGNED = 1, 2, 3
_LEVEL: dict[type[ast.operator], int] = {
    ast.Add: _SUM,
    ast.Sub: _SUM,
    ast.Mult: _PRODUCT,
    ast.Div: _PRODUCT,
}
_SYMBOLS: dict[type[ast.AST], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.UAdd: "+",
    ast.USub: "-",
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
        return self.written(lambda name: _figure(values.get(name)))

    def written(self, word: Callable[[str], str]) -> str:
        """The formula written out as `ast.unparse` would, each metric as `word(metric)`."""
        return _written(self.tree, word, 0)


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


def _run(node: ast.BinOp) -> tuple[ast.expr, list[tuple[ast.operator, ast.expr]]]:
    """A run of operators of one level, `a - b + c`, as its first operand and the (operator,
    operand) pairs after it, in reading order. Walked in a loop, so that no recursion (checking,
    evaluating, writing out) goes one Python frame deeper per term of a long flat formula."""
    level = _LEVEL[type(node.op)]
    steps: list[tuple[ast.operator, ast.expr]] = []
    first: ast.expr = node
    while isinstance(first, ast.BinOp) and _LEVEL.get(type(first.op)) == level:
        steps.append((first.op, first.right))
        first = first.left
    steps.reverse()
    return first, steps


def parse(text: str, *, known: tuple[str, ...] | None = None) -> Formula:
    """Check and parse a formula; FormulaError says what is wrong and where. `known`: the
    metrics it may name, by default the CRM's and those other apps contribute."""
    if known is None:
        known = known_metric_keys()
    source = (text or "").strip()
    if not source:
        raise FormulaError("A formula is required, e.g. deals_won_count / deals_lost_count.")
    if len(source) > MAX_LENGTH:
        raise FormulaError(f"A formula may be at most {MAX_LENGTH} characters.")
    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError as exc:
        # Python's own parser stops at 200 nested parentheses, well past ours.
        if "too many nested parentheses" in str(exc.msg):
            raise FormulaError(TOO_DEEP) from None
        column = f" at character {exc.offset}" if exc.offset else ""
        raise FormulaError(f"The formula is not valid arithmetic{column}.") from None
    except (RecursionError, MemoryError):
        raise FormulaError(TOO_DEEP) from None
    metrics: list[str] = []
    _check(tree, known, metrics, 0)
    return Formula(text=source, tree=tree, metrics=tuple(metrics), additive=_additive(tree))


def check(text: str, *, known: tuple[str, ...] | None = None) -> Formula:
    """A formula someone is writing: `parse`, and refused as well when it could never mean
    anything, with a message saying why."""
    known = known_metric_keys() if known is None else known
    formula = parse(text, known=known)
    for divisor in _constant_divisors(formula.tree):
        # Folded as the formula would compute it: `2 - 2`, `0.0` and `-0` are all zero.
        if _compile(divisor)({}) == 0:
            written = _written(divisor, str, 0)
            always = "" if isinstance(divisor, ast.Constant) else ", which is always 0"
            raise FormulaError(
                f"The formula divides by {written}{always}: nothing can be divided by zero."
            )
    if not formula.metrics:
        raise FormulaError(
            "The formula uses no metric: it would be the same number for everyone in every "
            f"period. Known metrics: {', '.join(known)}."
        )
    return formula


def _constant_divisors(tree: ast.expr) -> list[ast.expr]:
    """Every right-hand side of a `/` that holds no metric, outermost first."""
    found: list[ast.expr] = []
    for node in ast.walk(tree):  # breadth first, in a loop: no recursion
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Div)
            and not any(isinstance(inner, ast.Name) for inner in ast.walk(node.right))
        ):
            found.append(node.right)
    return found


def _check(node: ast.AST, known: tuple[str, ...], metrics: list[str], depth: int) -> None:
    if depth > MAX_DEPTH:
        raise FormulaError(TOO_DEEP)
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _OPERATORS:
            raise FormulaError(
                f"{_symbol(node.op)} is not allowed: use only + - * / and parentheses."
            )
        first, steps = _run(node)
        _check(first, known, metrics, depth + 1)
        for _op, operand in steps:
            _check(operand, known, metrics, depth + 1)
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
        first, steps = _run(node)
        # Left to right, as the tree nests: `so_far` is the part of the run before this step,
        # a number only while it is the first operand alone.
        so_far, number = _additive(first), _is_number(first)
        for op, operand in steps:
            if isinstance(op, ast.Add | ast.Sub):
                so_far = so_far and _additive(operand)
            elif isinstance(op, ast.Mult):
                so_far = (number and _additive(operand)) or (_is_number(operand) and so_far)
            else:
                so_far = _is_number(operand) and so_far
            number = False
        return so_far
    return False


def _written(node: ast.AST, word: Callable[[str], str], around: int) -> str:
    """`node` as text, in parentheses when what is `around` it binds more strongly."""
    if isinstance(node, ast.Name):
        return word(node.id)
    if isinstance(node, ast.Constant):
        return repr(node.value)
    if isinstance(node, ast.UnaryOp):
        text = _SYMBOLS[type(node.op)] + _written(node.operand, word, _SIGNED)
        return f"({text})" if around > _SIGNED else text
    if isinstance(node, ast.BinOp):
        level = _LEVEL[type(node.op)]
        first, steps = _run(node)
        parts = [_written(first, word, level)]
        for op, operand in steps:
            # The right-hand side of `-` or `/` in parentheses when it is a run of its own
            # level: `a - (b - c)` is not `a - b - c`.
            parts += [_SYMBOLS[type(op)], _written(operand, word, level + 1)]
        text = " ".join(parts)
        return f"({text})" if around > level else text
    raise FormulaError(f"{type(node).__name__} cannot be written out")


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
        first, steps = _run(node)
        start = _compile(first)
        rest = tuple(
            (_OPERATORS[type(op)], isinstance(op, ast.Div), _compile(operand))
            for op, operand in steps
        )

        def run(values: Mapping[str, Decimal]) -> Decimal | None:
            a = start(values)
            for operator, dividing, right in rest:
                if a is None:
                    return None
                b = right(values)
                if b is None or (dividing and b == 0):
                    return None
                try:
                    a = operator(a, b)
                except (InvalidOperation, ArithmeticError):
                    return None
            return a

        return run
    raise FormulaError(f"{ast.unparse(node)!r} cannot be evaluated")
