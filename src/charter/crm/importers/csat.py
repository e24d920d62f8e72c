"""CSAT responses: `charter import csat FILE`."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from charter.core.imports import Field, FieldInvalid, Row, text
from charter.core.imports.fields import cell_text
from charter.core.registry import register_importer
from charter.crm.importers.base import CENT, ID_FIELD_ALIASES, OWNER_ALIASES, CrmImporter, FactData
from charter.crm.models import CsatResponse


def _score(cell: Any) -> Decimal:
    try:
        value = Decimal(cell_text(cell).strip().replace(",", "."))
    except InvalidOperation:
        raise FieldInvalid("is not a number") from None
    if not value.is_finite():
        raise FieldInvalid("is not a number")
    # Scores are on scales up to 100; a huge number would not even round to cents.
    if abs(value) >= 1_000_000:
        raise FieldInvalid("is too large for a score")
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _scale(cell: Any) -> int:
    value = _score(cell)
    if value != value.to_integral_value() or not 1 <= value <= 100:
        raise FieldInvalid("must be a whole number from 1 to 100")
    return int(value)


@register_importer
class CsatImporter(CrmImporter):
    name = "csat"
    label = "CSAT responses"
    model = CsatResponse
    fields = (
        Field(
            "external_id",
            "External ID",
            required=True,
            aliases=(*ID_FIELD_ALIASES, "Response ID", "Survey response ID"),
            parse=text(max_length=120),
        ),
        Field(
            "owner",
            "Owner",
            required=True,
            aliases=(*OWNER_ALIASES, "Agent", "Account owner"),
            parse=text(max_length=200),
        ),
        Field(
            "score",
            "Score",
            required=True,
            aliases=("Rating", "CSAT", "CSAT score", "Satisfaction"),
            parse=_score,
            help="From 0 to the scale.",
        ),
        Field(
            "scale",
            "Scale",
            aliases=("Out of", "Max score", "Maximum"),
            parse=_scale,
            help="The best possible score; 5 when blank.",
        ),
        Field(
            "date",
            "Date",
            required=True,
            aliases=("Response date", "Submitted", "Submitted at", "Survey date"),
        ),
        Field(
            "account",
            "Account",
            aliases=("Account name", "Company", "Customer"),
            parse=text(max_length=200),
        ),
    )

    def clean(self, row: Row) -> FactData:
        eid = self.external_id(row)
        scale: int = row["scale"] or 5
        score: Decimal | None = row["score"]
        if score is not None and not 0 <= score <= scale:
            row.error("score", f"Score {score.normalize():f} is outside 0 to {scale}")
        return {
            "external_id": eid,
            **self.owner(row),
            "score": score,
            "scale": scale,
            "date": self.date(row, "date", "Date"),
            "account": row["account"] or "",
        }
