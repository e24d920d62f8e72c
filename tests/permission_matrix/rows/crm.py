"""CRM: imports, owners, exchange rates, and the deals, activities and CSAT browsed."""

from __future__ import annotations

from tests.permission_matrix.outcomes import (
    ADMIN_PAGE,
    API_SIGNED_IN,
    OK,
    REDIRECT,
    SIGNED_IN,
    By,
    Row,
)

CRM_RUN = {"run_id": lambda w: w.crm_run.pk}
CRM_RUN_PK = {"pk": lambda w: w.crm_run.pk}

ROWS: dict[str, Row] = {
    # --- crm: imports, owners, exchange rates (admins only) -----------------------------------
    "crm:import": Row(get=ADMIN_PAGE, write=ADMIN_PAGE._replace(admin=OK)),
    # Confirming a run that was already rejected only leads back to it.
    "crm:import_run": Row(
        get=ADMIN_PAGE, write=ADMIN_PAGE._replace(admin=REDIRECT), kwargs=CRM_RUN
    ),
    "crm:import_errors": Row(get=ADMIN_PAGE, kwargs=CRM_RUN),
    "crm:import_rejected": Row(get=ADMIN_PAGE._replace(admin=REDIRECT), kwargs=CRM_RUN),
    "crm:owners": Row(get=ADMIN_PAGE, write=ADMIN_PAGE._replace(admin=OK)),
    "crm:rates": Row(get=ADMIN_PAGE, write=ADMIN_PAGE._replace(admin=OK)),
    # Uploads are multipart; an upload without a file is a 400.
    "api:crm-import-list": Row(
        get=By(401, 403, 403, 403, OK, 403), write=By(401, 403, 403, 403, 400, 403)
    ),
    "api:crm-import-detail": Row(get=By(401, 403, 403, 403, OK, 403), kwargs=CRM_RUN_PK),
    "api:crm-import-errors": Row(get=By(401, 403, 403, 403, OK, 403), kwargs=CRM_RUN_PK),
    # --- crm: browsing and exports (everyone signed in, each within their scope) ---------------
    "crm:deals": Row(get=SIGNED_IN),
    "crm:deals_csv": Row(get=SIGNED_IN),
    "crm:deals_xlsx": Row(get=SIGNED_IN),
    "crm:activities": Row(get=SIGNED_IN),
    "crm:activities_csv": Row(get=SIGNED_IN),
    "crm:activities_xlsx": Row(get=SIGNED_IN),
    "crm:csat": Row(get=SIGNED_IN),
    "crm:csat_csv": Row(get=SIGNED_IN),
    "crm:csat_xlsx": Row(get=SIGNED_IN),
    "api:deal-list": Row(get=API_SIGNED_IN, write=By(401, 405, 405, 405, 405, 403), json=True),
    "api:activity-list": Row(get=API_SIGNED_IN, write=By(401, 405, 405, 405, 405, 403), json=True),
    "api:csat-list": Row(get=API_SIGNED_IN, write=By(401, 405, 405, 405, 405, 403), json=True),
    # Rita's records: hidden from another rep and from the other team's manager.
    "api:deal-detail": Row(get=By(401, 404, OK, 404, OK, OK), kwargs={"pk": lambda w: w.deal.pk}),
    "api:activity-detail": Row(
        get=By(401, 404, OK, 404, OK, OK), kwargs={"pk": lambda w: w.activity.pk}
    ),
    "api:csat-detail": Row(get=By(401, 404, OK, 404, OK, OK), kwargs={"pk": lambda w: w.csat.pk}),
}
