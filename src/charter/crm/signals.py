"""What the CRM app tells others about its facts, so that derived data (the KPI rollups) stays
current without this app knowing who derives what."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from django.dispatch import Signal


class FactListener(Protocol):
    """Follows one upsert: `add` after each chunk written, `finish` once at the end, both
    inside the writing transaction."""

    def add(
        self,
        names: Sequence[str],
        before: Sequence[tuple[Any, ...]],
        after: Sequence[tuple[Any, ...]],
    ) -> None: ...

    def finish(self) -> None: ...


# Sent when an upsert of facts begins (sender: the fact model; kwargs: org). A receiver that
# wants to follow the writes returns a FactListener. `names` are the field names of the tuples;
# `before` holds the stored values of the rows that are updated, `after` the new values of the
# rows inserted and updated. One listener per upsert lets a receiver merge many chunks'
# changes before writing its own rows.
facts_writing = Signal()

# Sent inside the transaction after records changed owner in bulk (an unmatched CRM owner
# resolved to a person). kwargs: org, person_ids (whose records changed).
facts_reattributed = Signal()
