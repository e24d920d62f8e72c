"""Accounts upkeep run by `charter tick`."""

from __future__ import annotations

from charter.accounts.services import rate_events_prune
from charter.core.registry import periodic


@periodic("accounts.prune_rate_events")
def prune_rate_events() -> str:
    # Addresses tried once and never again would otherwise stay counted for ever.
    deleted = rate_events_prune()
    return f"{deleted} old rate-limit record{'s' if deleted != 1 else ''} removed"
