"""Exchange rates: `charter import rates FILE`, to the organization's reporting currency."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.urls import reverse

from charter.core.decimals import exact_problem
from charter.core.imports import (
    ApplyError,
    CleanRow,
    Counts,
    Field,
    FieldInvalid,
    Importer,
    Issue,
    Row,
)
from charter.core.imports.fields import cell_text, check_date_format, parse_date_as
from charter.core.models import ImportRun
from charter.core.registry import register_importer
from charter.crm import services
from charter.crm.importers.base import rows_text


def _rate(cell: Any) -> Decimal:
    try:
        value = Decimal(cell_text(cell).strip().replace(",", "."))
    except InvalidOperation:
        raise FieldInvalid("is not a number") from None
    if not value.is_finite() or value <= 0:
        raise FieldInvalid("must be a number more than 0")
    if value >= Decimal("1e10"):
        raise FieldInvalid("is too large")
    value = value.quantize(Decimal("0.00000001"), rounding=ROUND_HALF_UP)
    problem = exact_problem(value)
    if problem:
        raise FieldInvalid(problem)
    return value


RateData = tuple[str, Decimal, dt.date]


@register_importer
class RateImporter(Importer[RateData | None]):
    name = "rates"
    label = "exchange rates"
    valued_options: ClassVar[tuple[str, ...]] = ("date_format",)
    fields = (
        Field("currency", "Currency", required=True, aliases=("Code", "Currency code")),
        Field(
            "rate",
            "Rate",
            required=True,
            aliases=("Exchange rate", "Rate to reporting currency"),
            parse=_rate,
            help="How many units of the reporting currency one unit is worth.",
        ),
        Field(
            "valid_from",
            "Valid from",
            required=True,
            aliases=("From", "Date", "Effective date", "Valid since"),
        ),
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.date_format = dict(kwargs.get("options") or {}).get("date_format") or None

    @classmethod
    def clean_settings(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        cleaned: dict[str, Any] = {}
        for name, value in values.items():
            if name != "date_format":
                raise ValueError(f"the rates importer takes no {name.replace('_', '-')}")
            if value:
                cleaned[name] = check_date_format(str(value))
        return cleaned

    @classmethod
    def result_url(cls, run: ImportRun) -> str:
        return reverse("crm:import_run", args=[run.pk])

    def prepare(self) -> None:
        self.seen: dict[tuple[str, dt.date], list[int]] = defaultdict(list)

    def clean(self, row: Row) -> RateData | None:
        try:
            currency = services.clean_currency(row["currency"] or "")
        except ValidationError:
            row.error("currency", "Currency is not a three-letter code such as EUR")
            return None
        if currency == (self.org.reporting_currency or "").upper():
            row.error("currency", f"{currency} is the reporting currency; it needs no rate")
        valid_from = None
        if row.given("valid_from"):
            try:
                valid_from = parse_date_as(row.raw["valid_from"], self.date_format)
            except FieldInvalid as exc:
                row.error("valid_from", f"Valid from {exc}")
        if valid_from is None or row["rate"] is None:
            return None
        self.seen[(currency, valid_from)].append(row.number)
        return (currency, row["rate"], valid_from)

    def check(self, rows: Iterable[CleanRow[RateData | None]]) -> Iterable[Issue]:
        issues = []
        for (currency, day), numbers in self.seen.items():
            if len(numbers) > 1:
                for n in numbers:
                    others = rows_text(m for m in numbers if m != n)
                    issues.append(
                        self.issue(
                            n,
                            "valid_from",
                            day.isoformat(),
                            f"{currency} from {day.isoformat()} is also on {others}",
                        )
                    )
        return issues

    def apply(self, rows: Iterable[CleanRow[RateData | None]]) -> Counts:
        data = [r.data for r in rows if r.data is not None]
        try:
            return services.exchange_rates_upsert(org=self.org, rows=data, actor=self.actor)
        except ValidationError as exc:
            raise ApplyError([Issue(None, "", "", "; ".join(exc.messages))]) from exc
