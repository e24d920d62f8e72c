"""Importers of CRM facts: `charter import deals|activities|csat|rates FILE` and the CRM upload
page and API.

Every row is keyed by (source, external id): a re-import updates what changed and reports the
rest as unchanged. The source is the preset's name, `file`, or `--source NAME`. Owners are
matched by `crm.owners`; an owner nobody matches is kept on the row (owner_raw/owner_key) for
an admin to resolve. Nothing is guessed: a stage nobody mapped, flags that contradict the stage,
an ambiguous date or a currency without a rate make the row invalid with a reason.

One module per kind of file: `deals`, `activities`, `csat` and `rates` each register one
importer; `base` holds what the three fact importers share. The registry's autodiscovery imports
this package, which imports them all.
"""

from charter.crm.importers import activities, csat, deals, rates

__all__ = ["activities", "csat", "deals", "rates"]
