"""The data version of an organization: a number that goes up in every transaction that changes
what its figures are computed from (facts and their rollups, targets, KPI definitions, people,
teams, the fiscal calendar and time zone, closed periods; not exchange rates: a deal keeps the
reporting amount it was imported with). Whatever keeps something computed from that data
(rendered scorecards, `kpis.cache`) keys it on the version, so no copy outlives the data it was
made from.

Every service that writes such data calls `data_version_bump` itself, inside its transaction:
other readers see the new number at the commit, with the data it describes, and never if the
transaction rolls back. An explicit call rather than a model signal, because `QuerySet.update()`,
`bulk_create` and the upserts' SQL send no signal; `tests/test_data_version.py` calls every such
service and checks the number moved, and that no module writes those models without the call.
"""

from __future__ import annotations

from django.db.models import F

from charter.org.models import DataVersion


def data_version(org_id: int) -> int:
    """The organization's data version (0 before its first change)."""
    found = DataVersion.objects.filter(org_id=org_id).values_list("version", flat=True).first()
    return int(found or 0)


def data_version_bump(*, org_id: int) -> None:
    """Say that the organization's figures may have changed. Call inside the transaction that
    writes the change: a bump committed before the data would let a reader cache the old figures
    under the new number."""
    if DataVersion.objects.filter(org_id=org_id).update(version=F("version") + 1):
        return
    # The organization's first change (`organization_create` makes its row; older ones and
    # organizations made without the service have none yet). `get_or_create` settles a race
    # with another first writer; the update then counts this change whichever of them made it.
    DataVersion.objects.get_or_create(org_id=org_id)
    DataVersion.objects.filter(org_id=org_id).update(version=F("version") + 1)
