"""What the CRM app tells others about its facts, so that derived data (the KPI rollups) stays
current without this app knowing who derives what."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the writing transaction after a chunk of facts was inserted or updated.
# sender: the fact model; kwargs: org, names (the field names of the tuples), before (stored
# values of the updated rows, in `names` order), after (new values of inserted and updated rows).
facts_written = Signal()

# Sent inside the transaction after records changed owner in bulk (an unmatched CRM owner
# resolved to a person). kwargs: org, person_ids (whose records changed).
facts_reattributed = Signal()
