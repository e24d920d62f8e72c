"""Learning: the catalogue, completions, requirements, compliance and certificates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.permission_matrix.outcomes import (
    ADMIN_PAGE,
    API_POST_ONLY,
    API_SIGNED_IN,
    CHANGES,
    LOGIN,
    OK,
    POST_ONLY,
    REDIRECT,
    SIGNED_IN,
    By,
    Row,
)
from tests.permission_matrix.world import (
    certification,
    completions_run,
    east_requirement,
    east_training,
    rita_completion,
)

# Learning: a rejected completions import (made on first use).
COMPLETIONS_RUN = {"run_id": lambda w: completions_run(w).pk}


def certificates_run(w: Any) -> Any:
    """A rejected certificates import by the admin (made on first use)."""
    from charter.core.models import ImportRun

    run, _ = ImportRun.objects.get_or_create(
        org=w.admin.org,
        kind="certifications",
        filename="certificates.csv",
        defaults={
            "status": ImportRun.Status.REJECTED,
            "errors": [{"row": 2, "column": "certification", "value": "X", "reason": "unknown"}],
            "created_by": w.admin.user,
        },
    )
    return run


CERTIFICATES_RUN = {"run_id": lambda w: certificates_run(w).pk}
_PDF = b"%PDF-1.4\n%%EOF\n"


def _with_evidence(obj: Any) -> Any:
    """`obj` with an evidence file (attached on first use)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from charter.learning.services.evidence import evidence_attach

    if not obj.evidence_name:
        evidence_attach(
            obj=obj, actor=obj.person.user, upload=SimpleUploadedFile("proof.pdf", _PDF),
            filename="proof.pdf", size=len(_PDF),
        )  # fmt: skip
    return obj


def rita_certificate(w: Any) -> Any:
    """Rita's certificate of the matrix certification, with its evidence (made on first use)."""
    from charter.learning.models import Certificate
    from charter.learning.services.certificates import certificate_add

    found = Certificate.objects.filter(person=w.rep2).first() or certificate_add(
        person=w.rep2, actor=w.rep2.user, certification=certification(w),
        issued_on=dt.date(2026, 1, 6),
    )  # fmt: skip
    return _with_evidence(found)


ROWS: dict[str, Row] = {
    # --- learning: the catalogue (East Enterprise's training: not other_manager's team) ------
    "learning:catalogue": Row(get=SIGNED_IN),
    # other_manager may add trainings, but not for East Enterprise: the form refuses it.
    "learning:training_create": Row(
        get=By(LOGIN, 403, OK, OK, OK, 403),
        write=By(LOGIN, 403, CHANGES, OK, CHANGES, 403),
        data=lambda w: {
            "title": "Matrix training",
            "kind": "course",
            "expected_hours": "2",
            "team": w.teams["east_ent"].pk,
        },
    ),
    "learning:training": Row(get=By(LOGIN, OK, OK, 404, OK, OK)),
    "learning:training_edit": Row(
        get=By(LOGIN, 403, OK, 404, OK, 403),
        write=By(LOGIN, 403, CHANGES, 404, CHANGES, 403),
        data=lambda w: {"retire": "1"},
    ),
    # other_manager does not see East Enterprise: it reads as no such team (400).
    "api:learning-training-list": Row(
        get=API_SIGNED_IN,
        write=By(401, 403, CHANGES, 400, CHANGES, 403),
        data=lambda w: {
            "title": "Api training",
            "kind": "course",
            "expected_hours": "2",
            "team": w.teams["east_ent"].pk,
        },
        json=True,
    ),
    "api:learning-training-detail": Row(
        get=By(401, OK, OK, 404, OK, OK),
        write=By(401, 403, CHANGES, 404, CHANGES, 403),
        method="patch",
        data=lambda w: {"is_active": False},
        kwargs={"pk": lambda w: east_training(w).pk},
        json=True,
    ),
    # --- learning: completions (Rita's pending one: her managers and admins review it) --------
    # other_manager cannot see East Enterprise's training: the form refuses it.
    "learning:my_record": Row(
        get=SIGNED_IN,
        write=By(LOGIN, CHANGES, CHANGES, OK, CHANGES, CHANGES),
        data=lambda w: {
            "training": east_training(w).pk,
            "completed_on": "2026-01-05",
            "hours": "1.5",
        },
    ),
    "learning:person_record": Row(get=By(LOGIN, 404, OK, 404, OK, OK)),
    # The printable record: Rita, her managers up the line (Mona, then Eve), admins.
    "learning:record_pdf": Row(get=By(LOGIN, 404, OK, 404, OK, OK)),
    "learning:approvals": Row(get=By(LOGIN, 403, OK, OK, OK, 403)),
    "learning:review": Row(
        get=POST_ONLY,
        write=By(LOGIN, 404, CHANGES, 404, CHANGES, 403),
        data=lambda w: {"decision": "approve"},
    ),
    # Only Rita corrects her own completion, and only once it was sent back.
    "learning:resubmit": Row(
        get=By(LOGIN, 404, 403, 404, 403, 403),
        write=By(LOGIN, 404, 403, 404, 403, 403),
        data=lambda w: {"completed_on": "2026-01-06", "hours": "1"},
    ),
    "learning:completions_import": Row(get=ADMIN_PAGE, write=ADMIN_PAGE._replace(admin=OK)),
    "learning:import_run": Row(
        get=ADMIN_PAGE, write=ADMIN_PAGE._replace(admin=REDIRECT), kwargs=COMPLETIONS_RUN
    ),
    "learning:import_errors": Row(get=ADMIN_PAGE, kwargs=COMPLETIONS_RUN),
    "learning:import_rejected": Row(
        get=ADMIN_PAGE._replace(admin=REDIRECT), kwargs=COMPLETIONS_RUN
    ),
    "learning:certificates_import:upload": Row(get=ADMIN_PAGE, write=ADMIN_PAGE._replace(admin=OK)),
    "learning:certificates_import:import_run": Row(
        get=ADMIN_PAGE, write=ADMIN_PAGE._replace(admin=REDIRECT), kwargs=CERTIFICATES_RUN
    ),
    "learning:certificates_import:import_errors": Row(get=ADMIN_PAGE, kwargs=CERTIFICATES_RUN),
    "learning:certificates_import:import_rejected": Row(
        get=ADMIN_PAGE._replace(admin=REDIRECT), kwargs=CERTIFICATES_RUN
    ),
    # Evidence files: Rita, those above her (Mona, Eve) and admins open them; not Rick beside
    # her nor Omar. Only Rita replaces her completion's file; admins may remove it.
    "learning:completion_evidence": Row(
        get=By(LOGIN, 404, OK, 404, OK, OK),
        write=By(LOGIN, 404, 403, 404, CHANGES, 403),
        data=lambda w: {"remove": "1"},
        kwargs={"completion_id": lambda w: _with_evidence(rita_completion(w)).pk},
    ),
    # A certificate's file: whoever records Rita's certificates (Mona, admins) changes it.
    "learning:certificate_evidence": Row(
        get=By(LOGIN, 404, OK, 404, OK, OK),
        write=By(LOGIN, 404, CHANGES, 404, CHANGES, 403),
        data=lambda w: {"remove": "1"},
        kwargs={"certificate_id": lambda w: rita_certificate(w).pk},
    ),
    # Reporting one's own learning is personal: executives too.
    "api:learning-completion-list": Row(
        get=API_SIGNED_IN,
        write=By(401, CHANGES, CHANGES, 400, CHANGES, CHANGES),
        data=lambda w: {
            "training": east_training(w).pk,
            "completed_on": "2026-01-05",
            "hours": "1.5",
        },
        json=True,
    ),
    "api:learning-completion-detail": Row(
        get=By(401, 404, OK, 404, OK, OK), kwargs={"pk": lambda w: rita_completion(w).pk}
    ),
    "api:learning-completion-review": Row(
        get=API_POST_ONLY,
        write=By(401, 404, CHANGES, 404, CHANGES, 403),
        data=lambda w: {"approve": True},
        kwargs={"pk": lambda w: rita_completion(w).pk},
        json=True,
    ),
    # --- learning: requirements and compliance (East Enterprise's requirement) ---------------
    # other_manager may set requirements, but not for East Enterprise: the form refuses it.
    "learning:requirements": Row(
        get=SIGNED_IN,
        write=By(LOGIN, 403, CHANGES, OK, CHANGES, 403),
        data=lambda w: {
            "name": "Matrix requirement",
            "scope": "team",
            "team": w.teams["east_ent"].pk,
            "effective_from": "2026-01-01",
            "hours": "2",
            "hours_period": "month",
        },
    ),
    "learning:requirement": Row(
        get=By(LOGIN, OK, OK, 404, OK, OK),
        write=By(LOGIN, 403, CHANGES, 404, CHANGES, 403),
        data=lambda w: {
            "effective_from": "2027-06-01",
            "hours": "3",
            "hours_period": "month",
            "reason": "Matrix",
        },
    ),
    # Who is behind in East Enterprise: its managers, admins and executives.
    "learning:team": Row(get=By(LOGIN, 404, OK, 404, OK, OK)),
    "learning:team_csv": Row(get=By(LOGIN, 404, OK, 404, OK, OK)),
    "learning:team_heatmap": Row(get=By(LOGIN, 404, OK, 404, OK, OK)),
    "learning:team_xlsx": Row(get=By(LOGIN, 404, OK, 404, OK, OK)),
    "api:learning-requirement-list": Row(
        get=API_SIGNED_IN, write=By(401, 405, 405, 405, 405, 403), json=True
    ),
    "api:learning-requirement-detail": Row(
        get=By(401, OK, OK, 404, OK, OK), kwargs={"pk": lambda w: east_requirement(w).pk}
    ),
    # Without ?person= or ?team= there is nobody to report on.
    "api:learning-compliance": Row(get=By(401, 400, 400, 400, 400, 400)),
    # --- learning: certificates (a certificate for Rita: her managers and admins record it) ---
    "learning:certificates": Row(
        get=SIGNED_IN,
        write=By(LOGIN, OK, CHANGES, OK, CHANGES, OK),
        data=lambda w: {
            "person": w.rep2.pk,
            "certification": certification(w).pk,
            "issued_on": "2026-01-05",
        },
    ),
    # The API reads certificates as their evidence: Rita, Mona and Eve above her, admins; not
    # Rick beside her nor Omar. Whom one may not record for is a 400 naming `person`.
    "api:learning-certificate-list": Row(
        get=API_SIGNED_IN,
        write=By(401, 400, CHANGES, 400, CHANGES, 400),
        data=lambda w: {
            "person": w.rep2.pk,
            "certification": certification(w).pk,
            "issued_on": "2026-01-05",
        },
        json=True,
    ),
    "api:learning-certificate-detail": Row(
        get=By(401, 404, OK, 404, OK, OK), kwargs={"pk": lambda w: rita_certificate(w).pk}
    ),
    "api:learning-certification-list": Row(
        get=API_SIGNED_IN,
        write=By(401, 403, 403, 403, CHANGES, 403),
        data=lambda w: {"name": "Api cert", "validity_months": 12, "expiring_days": 30},
        json=True,
    ),
    "api:learning-certification-detail": Row(
        get=API_SIGNED_IN, kwargs={"pk": lambda w: certification(w).pk}
    ),
    "learning:certifications": Row(
        get=SIGNED_IN,
        write=By(LOGIN, 403, 403, 403, CHANGES, 403),
        data=lambda w: {"name": "Matrix cert", "validity_months": "12", "expiring_days": "30"},
    ),
}
