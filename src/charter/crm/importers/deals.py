"""Deals: `charter import deals FILE`, with a preset, a stage map and exchange rates."""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

from charter.core.decimals import EXACT_DIGITS
from charter.core.imports import Field, FieldInvalid, Row, text
from charter.core.imports.fields import cell_text
from charter.core.registry import register_importer
from charter.crm.importers.base import (
    CENT,
    ID_FIELD_ALIASES,
    OWNER_ALIASES,
    SPELLINGS_CACHED,
    CrmImporter,
    FactData,
)
from charter.crm.models import Deal, DealStage, ExchangeRate
from charter.crm.presets import GENERIC_STAGES, get_preset, stage_key

# An amount in cents has at most 15 digits: every amount is stored exactly on SQLite and
# PostgreSQL (see `core.decimals`), and a person's sums in cents stay far inside 64 bits.
MAX_AMOUNT = Decimal(10) ** (EXACT_DIGITS - 2)
_MAX_AMOUNT_TEXT = f"{MAX_AMOUNT - CENT:,}"
_PLAIN_AMOUNT = re.compile(r"\d+(\.\d*)?")
_CURRENCY = re.compile(r"[A-Z]{3}")
_TRUE = {"true", "yes", "y", "1", "t", "x"}
_FALSE = {"false", "no", "n", "0", "f", ""}


def parse_amount(cell: Any) -> Decimal:
    """A non-negative amount: 1234.5, 1,234.50, 1.234,50, 1 234, $1,234, or a number cell."""
    if isinstance(cell, bool):
        raise FieldInvalid("is not a number")
    if isinstance(cell, int | float | Decimal):
        value = Decimal(str(cell))
    elif isinstance(cell, str) and _PLAIN_AMOUNT.fullmatch(cell):
        # The common case (digits, maybe a point) needs none of the clean-up below.
        value = Decimal(cell)
    else:
        raw = cell_text(cell).strip()
        cleaned = re.sub(r"[\s\u00a0\u202f'$€£¥]|^[A-Za-z]{3}\s*|\s*[A-Za-z]{3}$", "", raw)
        negative = cleaned.startswith("(") and cleaned.endswith(")")
        cleaned = cleaned.strip("()")
        if "," in cleaned and "." in cleaned:
            # Whichever separator comes last is the decimal one.
            if cleaned.rfind(",") > cleaned.rfind("."):
                cleaned = cleaned.replace(".", "").replace(",", ".")
            else:
                cleaned = cleaned.replace(",", "")
        elif "," in cleaned:
            if re.fullmatch(r"-?\d{1,3}(,\d{3})+", cleaned):
                cleaned = cleaned.replace(",", "")
            elif re.fullmatch(r"-?\d+,\d{1,2}", cleaned):
                cleaned = cleaned.replace(",", ".")
            else:
                raise FieldInvalid("is not a number (use 1234.56)")
        if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", cleaned):
            raise FieldInvalid("is not a number (use 1234.56)")
        value = Decimal(cleaned)
        if negative:
            value = -value
    if not value.is_finite():
        raise FieldInvalid("is not a number")
    if value < 0:
        raise FieldInvalid("is negative; it must be 0 or more")
    if value < MAX_AMOUNT:
        value = value.quantize(CENT, rounding=ROUND_HALF_UP)
    if value >= MAX_AMOUNT:
        raise FieldInvalid(f"is too large: amounts are kept exactly up to {_MAX_AMOUNT_TEXT}")
    return value


# No deal is open for a century; a bigger age is another column (an amount, an id).
MAX_AGE_DAYS = 36_500
MISSING_CREATED_NOTE = (
    "no created date: the deal counts for every KPI except those that need one (average "
    "sales cycle, pipeline created), which say how many deals lack it"
)


def parse_age(cell: Any) -> int:
    """Whole days, as Salesforce's OpportunityAge gives them: 139, 139.0, "139 days"."""
    text = cell_text(cell).strip().lower().removesuffix("days").removesuffix("day").strip()
    try:
        days = Decimal(text.replace(",", ""))
    except ArithmeticError:
        raise FieldInvalid("is not a number of days") from None
    if not days.is_finite() or days != days.to_integral_value():
        raise FieldInvalid("is not a whole number of days")
    if days < 0 or days > MAX_AGE_DAYS:
        raise FieldInvalid(f"must be between 0 and {MAX_AGE_DAYS:,} days")
    return int(days)


def parse_flag(cell: Any) -> bool:
    if isinstance(cell, bool):
        return cell
    key = cell_text(cell).strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise FieldInvalid("is not true or false")


@register_importer
class DealImporter(CrmImporter):
    name = "deals"
    label = "deals"
    model = Deal
    valued_options: ClassVar[tuple[str, ...]] = ("preset", "stage_map", "source", "date_format")
    fields = (
        Field(
            "external_id",
            "External ID",
            required=True,
            aliases=(*ID_FIELD_ALIASES, "Deal ID", "Opportunity ID"),
            parse=text(max_length=120),
            help="The deal's id in the CRM; with the source it identifies the deal.",
        ),
        Field(
            "owner",
            "Owner",
            required=True,
            aliases=(*OWNER_ALIASES, "Deal owner", "Opportunity owner"),
            parse=text(max_length=200),
            help="An email, a CRM user id or a name; unmatched owners are listed for an admin.",
        ),
        Field(
            "stage",
            "Stage",
            required=True,
            aliases=("Deal stage", "Stage name", "Status", "Deal status"),
            parse=text(max_length=120),
            help="open, won, lost, Closed Won, Closed Lost, or any stage given a stage map.",
        ),
        Field(
            "amount",
            "Amount",
            aliases=("Value", "Deal value", "Close value", "Deal amount"),
            parse=parse_amount,
            help="0 or more; blank is 0 for an open deal.",
        ),
        Field(
            "currency",
            "Currency",
            aliases=("Currency code", "Deal currency"),
            parse=text(max_length=3),
            help="Three letters; blank means the reporting currency.",
        ),
        Field(
            "created_date",
            "Created date",
            aliases=("Created", "Create date", "Created on", "Date created", "Engage date"),
            help="When the deal was created or engaged. Without it, a closed deal's is its close "
            "date minus its age; otherwise it stays empty and the deal is left out of the KPIs "
            "that need it (average sales cycle, pipeline created), which say so.",
        ),
        Field(
            "age",
            "Age",
            aliases=("OpportunityAge", "Opportunity age", "Age (days)", "Age in days"),
            parse=parse_age,
            help="Days from created to close (Salesforce report exports give OpportunityAge "
            "instead of CreatedDate); used only when there is no created date.",
        ),
        Field(
            "close_date",
            "Close date",
            aliases=("Closed", "Closed on", "Date closed", "Close"),
            help="Not before the created date.",
        ),
        Field(
            "account",
            "Account",
            aliases=("Account name", "Company", "Customer", "Organization"),
            parse=text(max_length=200),
        ),
        Field("product", "Product", aliases=("Product name",), parse=text(max_length=200)),
        Field(
            "name",
            "Deal name",
            aliases=("Opportunity name", "Title", "Name"),
            parse=text(max_length=300),
        ),
        Field("lead_source", "Lead source", aliases=("Source",), parse=text(max_length=120)),
        Field(
            "stage_name",
            "Pipeline stage",
            parse=text(max_length=120),
            help="The pipeline step, kept as the raw stage when the stage column is a status.",
        ),
        Field("is_won", "IsWon", parse=parse_flag, help="Salesforce: checked against the stage."),
        Field(
            "is_closed", "IsClosed", parse=parse_flag, help="Salesforce: checked against the stage."
        ),
        Field("won_date", "Won time", help="The close date of a won deal when none is given."),
        Field("lost_date", "Lost time", help="The close date of a lost deal when none is given."),
        Field(
            "expected_close_date",
            "Expected close date",
            help="The close date of an open deal when none is given.",
        ),
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        settings = dict(kwargs.get("options") or {})
        preset = settings.get("preset")
        self.stages = (
            get_preset(preset).stage_table()
            if preset
            else {stage_key(k): v for k, v in GENERIC_STAGES.items()}
        )
        self.stages.update(settings.get("stage_map") or {})
        self._stage_spellings: dict[str, str | None] = {}

    @classmethod
    def preset_mapping(cls, header: Any, options: Mapping[str, Any]) -> dict[str, str]:
        preset = options.get("preset")
        return get_preset(preset).mapping(header) if preset else {}

    def prepare(self) -> None:
        super().prepare()
        self.rates: dict[str, tuple[list[dt.date], list[Decimal]]] = {}
        found: dict[str, list[tuple[dt.date, Decimal]]] = defaultdict(list)
        for currency, valid_from, rate in (
            ExchangeRate.objects.filter(org=self.org)
            .order_by("currency", "valid_from")
            .values_list("currency", "valid_from", "rate")
        ):
            found[currency.upper()].append((valid_from, rate))
        for currency, pairs in found.items():
            self.rates[currency] = ([d for d, _ in pairs], [r for _, r in pairs])

    def clean(self, row: Row) -> FactData:
        eid = self.external_id(row)
        raw_stage: str = row["stage"] or ""
        stage = self._stage(row, raw_stage)
        created = self.date(row, "created_date", "Created date")
        close = self.date(row, "close_date", "Close date")
        if close is None and stage == DealStage.WON:
            close = self.date(row, "won_date", "Won time")
        elif close is None and stage == DealStage.LOST:
            close = self.date(row, "lost_date", "Lost time")
        if close is None and stage == DealStage.OPEN:
            close = self.date(row, "expected_close_date", "Expected close date")
        if (
            close is None
            and stage in (DealStage.WON, DealStage.LOST)
            and not any(row.given(name) for name in ("close_date", "won_date", "lost_date"))
        ):
            # Every KPI counts a closed deal in the period of its close date: without one it
            # would be stored and counted nowhere. (A date that did not parse is reported.)
            row.error("close_date", f"Close date is required for a {stage} deal")
        if created is None and not row.given("created_date"):
            created = self._created_from_age(row, stage, close)
        if created and close and close < created:
            row.error(
                "close_date",
                f"Close date {close.isoformat()} is before the created date {created.isoformat()}",
            )
        amount: Decimal | None = row["amount"]
        if amount is None and not row.given("amount"):
            if stage in (DealStage.WON, DealStage.LOST):
                row.error("amount", f"Amount is required for a {stage} deal")
            amount = Decimal("0.00")
        currency = (row["currency"] or self.reporting).upper()
        if row["currency"] and not _CURRENCY.fullmatch(currency):
            row.error("currency", "Currency is not a three-letter code such as EUR")
        reporting_amount = self._convert(row, amount, currency, close or created)
        return {
            "external_id": eid,
            **self.owner(row),
            "stage": stage,
            "raw_stage": (row["stage_name"] or raw_stage)[:120],
            "amount": amount,
            "currency": currency,
            "amount_reporting": reporting_amount,
            "created_date": created,
            "close_date": close,
            "account": row["account"] or "",
            "product": row["product"] or "",
            "lead_source": row["lead_source"] or "",
            "name": row["name"] or "",
        }

    def _created_from_age(self, row: Row, stage: str, close: dt.date | None) -> dt.date | None:
        """A closed deal's created date from its close date and age; None, noted, otherwise.
        Only a closed deal: an open one's age runs to the day of the export, which the file
        does not say, so its close date (expected) minus its age means nothing."""
        age: int | None = row["age"]
        if age is not None and close is not None and stage in (DealStage.WON, DealStage.LOST):
            return close - dt.timedelta(days=age)
        if row.given("age") and age is not None:
            reason = "an open deal's age says nothing of when it was created"
            if close is None:
                reason = "there is no close date to count its age back from"
            self.note(row, "age", f"No created date: {reason}", summary=MISSING_CREATED_NOTE)
        elif not row.issues:
            self.note(row, "created_date", "No created date", summary=MISSING_CREATED_NOTE)
        return None

    def _stage(self, row: Row, raw: str) -> str:
        stage = self._stage_of(raw) if raw else None
        won: bool | None = row["is_won"]
        closed: bool | None = row["is_closed"]

        def said() -> str:
            return f"{self.columns.get('stage') or 'Stage'} {raw!r}"

        def flag_text(name: str) -> str:
            return f"{self.columns.get(name) or name} is {cell_text(row.raw.get(name)).strip()!r}"

        if stage is None:
            if raw and closed is False and won:
                row.error(
                    "is_won",
                    f"{flag_text('is_won')} but {flag_text('is_closed')}; the file contradicts "
                    "itself, so the deal is not guessed: fix one of them",
                )
                return ""
            if raw and closed is False:
                return DealStage.OPEN
            if raw and closed is True and won is not None:
                return DealStage.WON if won else DealStage.LOST
            if raw:
                row.error(
                    "stage",
                    f"Stage {raw!r} is not a stage Charter knows; say what it means with a stage "
                    f"map, e.g. --stage-map '{raw}=open' (or won, lost)",
                )
            return ""
        if closed is not None and (stage != DealStage.OPEN) != closed:
            row.error(
                "is_closed",
                f"{flag_text('is_closed')} but {said()} is {stage}; the file contradicts itself, "
                "so the deal is not guessed: fix one of them",
            )
        if won is not None and (stage == DealStage.WON) != won:
            row.error(
                "is_won",
                f"{flag_text('is_won')} but {said()} is {stage}; the file contradicts itself, "
                "so the deal is not guessed: fix one of them",
            )
        return stage

    def _stage_of(self, raw: str) -> str | None:
        # A file spells its few stages the same way on every row: look each spelling up once.
        try:
            return self._stage_spellings[raw]
        except KeyError:
            if len(self._stage_spellings) >= SPELLINGS_CACHED:
                self._stage_spellings.clear()
            stage = self._stage_spellings[raw] = self.stages.get(stage_key(raw))
            return stage

    def _convert(
        self, row: Row, amount: Decimal | None, currency: str, on: dt.date | None
    ) -> Decimal | None:
        if amount is None or currency == self.reporting:
            return amount
        if on is None:
            if not row.issues:
                # No created date any more since it may be missing: say why, not fail later.
                row.error(
                    "currency",
                    f"an amount in {currency} needs a close or created date to pick its "
                    "exchange rate",
                )
            return None
        dates, rates = self.rates.get(currency, ([], []))
        index = bisect_right(dates, on) - 1
        if index < 0:
            row.error(
                "currency",
                f"there is no {currency} to {self.reporting} exchange rate on or before "
                f"{on.isoformat()}; add one on the exchange rates page or with "
                "`charter import rates`",
            )
            return None
        converted = (amount * rates[index]).quantize(CENT, rounding=ROUND_HALF_UP)
        if converted >= MAX_AMOUNT:
            row.error(
                "amount",
                f"Amount {amount} {currency} is {converted:,} {self.reporting}, too large: "
                f"amounts are kept exactly up to {_MAX_AMOUNT_TEXT}",
            )
            return None
        return converted
