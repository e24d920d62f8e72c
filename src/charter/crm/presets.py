"""Known CRM exports: which columns of a Salesforce, HubSpot or Pipedrive deals export feed
which deal field, and what their standard stages mean.

A preset only suggests: columns named explicitly (`--map`, a saved profile, the page's selects)
win, and stages of a customised pipeline still need `--stage-map`. The preset's name is the
`source` of the rows it imports, so the same deal id from two CRMs never collides.

Adding a preset: add a `Preset` below with the export's real column names (each field lists the
spellings seen in that CRM's exports, most specific first) and its standard stages; then add a
small fixture in that shape to `crm/tests/fixtures/` and a test with hand-checked counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from charter.core.imports.fields import normalise_header
from charter.crm.models import DealStage

OPEN, WON, LOST = DealStage.OPEN.value, DealStage.WON.value, DealStage.LOST.value

# Stages every deals file may use without a preset or a stage map.
GENERIC_STAGES: dict[str, str] = {
    "open": OPEN,
    "won": WON,
    "lost": LOST,
    "closed won": WON,
    "closed lost": LOST,
}


def stage_key(raw: str) -> str:
    """`Closed Won`, `closedwon` and `closed_won` are one stage."""
    return normalise_header(raw)


@dataclass(frozen=True)
class Preset:
    """One CRM's deals export."""

    name: str
    label: str
    columns: Mapping[str, tuple[str, ...]]
    stages: Mapping[str, str] = field(default_factory=dict)
    help: str = ""

    def mapping(self, header: Sequence[str]) -> dict[str, str]:
        """{field: column} for the fields whose column this file has."""
        by_key: dict[str, str] = {}
        for name in header:
            by_key.setdefault(normalise_header(name), name)
        chosen: dict[str, str] = {}
        used: set[str] = set()
        for field_name, candidates in self.columns.items():
            for candidate in candidates:
                column = by_key.get(normalise_header(candidate))
                if column is not None and column not in used:
                    chosen[field_name] = column
                    used.add(column)
                    break
        return chosen

    def stage_table(self) -> dict[str, str]:
        table = {stage_key(k): v for k, v in GENERIC_STAGES.items()}
        table.update({stage_key(k): v for k, v in self.stages.items()})
        return table


SALESFORCE = Preset(
    name="salesforce",
    label="Salesforce opportunities (Data Loader or report export)",
    columns={
        "external_id": ("Id", "Opportunity ID", "OpportunityId"),
        # A name or an email matches a person directly; a user id needs an alias first.
        "owner": (
            "Owner Email",
            "Opportunity Owner Email",
            "Opportunity Owner",
            "OpportunityOwner",
            "Owner Name",
            "Owner.Name",
            "Owner Full Name",
            "OwnerId",
            "Owner ID",
        ),
        "stage": ("StageName", "Stage"),
        "is_won": ("IsWon", "Won"),
        "is_closed": ("IsClosed", "Closed"),
        "amount": ("Amount",),
        "currency": ("CurrencyIsoCode", "Opportunity Currency", "Amount Currency"),
        "created_date": ("CreatedDate", "Created Date"),
        "age": ("OpportunityAge", "Age"),
        "close_date": ("CloseDate", "Close Date"),
        "account": ("AccountName", "Account Name", "Account.Name"),
        "product": ("Product", "Product Name", "Primary Product", "Product2.Name"),
        "name": ("Name", "Opportunity Name", "OpportunityName"),
        "lead_source": ("LeadSource", "Lead Source"),
    },
    stages={
        "Prospecting": OPEN,
        "Qualification": OPEN,
        "Needs Analysis": OPEN,
        "Value Proposition": OPEN,
        "Id. Decision Makers": OPEN,
        "Perception Analysis": OPEN,
        "Proposal/Price Quote": OPEN,
        "Negotiation/Review": OPEN,
        "Closed Won": WON,
        "Closed Lost": LOST,
    },
    help="Id, OwnerId or Opportunity Owner, StageName, IsWon, IsClosed, Amount, "
    "CurrencyIsoCode, CreatedDate (or OpportunityAge), CloseDate, AccountName, Name, "
    "LeadSource.",
)

HUBSPOT = Preset(
    name="hubspot",
    label="HubSpot deals export",
    columns={
        "external_id": ("Record ID", "Deal ID", "hs_object_id"),
        "owner": ("Deal owner", "Owner", "HubSpot Owner", "hubspot_owner_id"),
        "stage": ("Deal Stage", "dealstage"),
        "amount": ("Amount",),
        "currency": ("Currency", "Deal currency code", "deal_currency_code"),
        "created_date": ("Create Date", "createdate"),
        "close_date": ("Close Date", "closedate"),
        "account": ("Associated Company", "Associated Company (Primary)", "Company name"),
        "product": ("Product", "Product name"),
        "name": ("Deal Name", "dealname"),
        "lead_source": ("Original Source", "Original Traffic Source", "Deal source"),
    },
    # The default sales pipeline, by label and by internal value.
    stages={
        "Appointment Scheduled": OPEN,
        "Qualified To Buy": OPEN,
        "Presentation Scheduled": OPEN,
        "Decision Maker Bought-In": OPEN,
        "Contract Sent": OPEN,
        "Closed Won": WON,
        "Closed Lost": LOST,
    },
    help="Record ID, Deal Name, Deal Stage, Amount, Currency, Create Date, Close Date, "
    "Deal owner, Associated Company.",
)

PIPEDRIVE = Preset(
    name="pipedrive",
    label="Pipedrive deals export",
    columns={
        "external_id": ("Deal - ID",),
        "owner": ("Deal - Owner", "Deal - Owner email"),
        # Pipedrive's status says open, won or lost; its stage is the pipeline step.
        "stage": ("Deal - Status",),
        "stage_name": ("Deal - Stage",),
        "amount": ("Deal - Value",),
        "currency": ("Deal - Currency", "Deal - Currency of Value"),
        "created_date": ("Deal - Deal created", "Deal - Add time", "Deal - Created"),
        "close_date": ("Deal - Deal closed on", "Deal - Close time"),
        "won_date": ("Deal - Won time",),
        "lost_date": ("Deal - Lost time",),
        "expected_close_date": ("Deal - Expected close date",),
        "account": ("Deal - Organization", "Deal - Organization name", "Organization - Name"),
        "product": ("Deal - Product", "Deal - Product name", "Product - Name"),
        "name": ("Deal - Title",),
        "lead_source": ("Deal - Source", "Deal - Source channel"),
    },
    help="Deal - ID, Deal - Title, Deal - Owner, Deal - Value, Deal - Currency, Deal - Status, "
    "Deal - Stage, Deal - Deal created, Deal - Won time, Deal - Lost time, "
    "Deal - Expected close date, Deal - Organization.",
)

PRESETS: dict[str, Preset] = {p.name: p for p in (SALESFORCE, HUBSPOT, PIPEDRIVE)}
DEFAULT_SOURCE = "file"


def get_preset(name: str) -> Preset:
    try:
        return PRESETS[name.strip().lower()]
    except KeyError:
        known = ", ".join(sorted(PRESETS))
        raise ValueError(f"there is no preset called {name!r}; the presets are {known}") from None
