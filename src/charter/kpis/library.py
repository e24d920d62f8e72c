"""The built-in KPI library every organization starts with. Each is an ordinary versioned KPI
(an admin can revise its weight, thresholds or even its formula from a date on); only its key
is fixed, because targets, imports and the API name it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

# The first version of a built-in applies to all history.
BUILTIN_EFFECTIVE_FROM = dt.date(2000, 1, 1)


@dataclass(frozen=True)
class Builtin:
    key: str
    name: str
    formula: str
    unit: str
    direction: str = "higher"
    decimals: int = 0
    weight: Decimal = Decimal(0)
    description: str = ""
    # Off until an admin turns it on: a KPI whose figures cost more to compute than the rollup
    # sums (a contributed per-period metric) should not slow every scorecard by default.
    active: bool = True


BUILTINS: tuple[Builtin, ...] = (
    Builtin(
        "revenue_won",
        "Revenue won",
        "deals_won_amount",
        "money",
        weight=Decimal(40),
        description="Value of the deals won in the period, in the reporting currency.",
    ),
    Builtin(
        "deals_won",
        "Deals won",
        "deals_won_count",
        "count",
        weight=Decimal(10),
        description="Number of deals closed as won in the period.",
    ),
    Builtin(
        "deals_lost",
        "Deals lost",
        "deals_lost_count",
        "count",
        direction="lower",
        description="Number of deals closed as lost in the period.",
    ),
    Builtin(
        "win_rate",
        "Win rate",
        "deals_won_count / (deals_won_count + deals_lost_count)",
        "percent",
        decimals=1,
        weight=Decimal(15),
        description="Won deals out of all deals closed (won or lost) in the period.",
    ),
    Builtin(
        "avg_deal_size",
        "Average deal size",
        "deals_won_amount / deals_won_count",
        "money",
        description="Average value of a won deal.",
    ),
    Builtin(
        "avg_cycle_days",
        "Average sales cycle",
        "won_cycle_days_sum / won_cycle_count",
        "days",
        direction="lower",
        decimals=1,
        weight=Decimal(5),
        description="Average days from created (or engaged) to close, over won deals whose "
        "created date is known.",
    ),
    Builtin(
        "pipeline_created",
        "Pipeline created",
        "pipeline_created_amount",
        "money",
        weight=Decimal(10),
        description="Value of the deals created (or engaged) in the period, whatever their stage.",
    ),
    Builtin(
        "activities_calls",
        "Calls",
        "activities_call_count",
        "count",
        weight=Decimal(5),
        description="Calls logged in the period.",
    ),
    Builtin(
        "activities_emails",
        "Emails",
        "activities_email_count",
        "count",
        description="Emails logged in the period.",
    ),
    Builtin(
        "activities_meetings",
        "Meetings",
        "activities_meeting_count",
        "count",
        weight=Decimal(10),
        description="Meetings logged in the period.",
    ),
    Builtin(
        "csat_avg",
        "Customer satisfaction",
        "csat_score_sum / csat_count",
        "points",
        decimals=2,
        weight=Decimal(5),
        description="Average customer-satisfaction score, on a five-point scale.",
    ),
)
BUILTIN_KEYS = tuple(b.key for b in BUILTINS)
# No single KPI may carry more than 150% of its weight into the overall score by default.
DEFAULT_SCORE_CAP = Decimal("1.5")
