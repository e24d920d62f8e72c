"""Certifications, the certificates people hold, and their expiry alerts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from charter.core import audit
from charter.learning.certificates import alert_stage, expiry_of
from charter.learning.models import Certificate, CertificateAlert, Certification
from charter.learning.selectors import org_today
from charter.org.models import Organization, Person


def certification_create(
    *,
    org: Organization,
    actor: Any,
    name: str,
    validity_months: int,
    issuer: str = "",
    expiring_days: int = 60,
) -> Certification:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "A certification needs a name."
    elif Certification.objects.filter(org=org, name__iexact=name.strip()).exists():
        errors["name"] = f"The certification {name.strip()!r} already exists."
    if not 1 <= validity_months <= 240:
        errors["validity_months"] = "Validity is from 1 to 240 months."
    if not 1 <= expiring_days <= 365:
        errors["expiring_days"] = "Expiring is shown from 1 to 365 days before the end."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        certification = Certification.objects.create(
            org=org, name=name.strip(), issuer=issuer.strip(),
            validity_months=validity_months, expiring_days=expiring_days,
        )  # fmt: skip
        audit.record(
            actor=actor,
            action="learning.certification.created",
            obj=certification,
            after=audit.snapshot(
                certification, ["name", "issuer", "validity_months", "expiring_days"]
            ),
        )
    return certification


def certificate_add(
    *,
    person: Person,
    actor: Any,
    certification: Certification,
    issued_on: dt.date,
    expires_on: dt.date | None = None,
    credential_id: str = "",
) -> Certificate:
    """Record a certificate; without an end date it lasts the certification's validity."""
    errors: dict[str, str] = {}
    if certification.org_id != person.org_id:
        errors["certification"] = "That certification is not in this organization."
    today = org_today(person.org)
    if issued_on > today:
        errors["issued_on"] = f"{issued_on.isoformat()} is in the future (today is {today})."
    expires_on = expires_on or expiry_of(issued_on, certification.validity_months)
    if expires_on < issued_on:
        errors["expires_on"] = "A certificate cannot end before it was issued."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        certificate = Certificate.objects.create(
            org_id=person.org_id, person=person, certification=certification,
            issued_on=issued_on, expires_on=expires_on, credential_id=credential_id.strip(),
            created_by=actor,
        )  # fmt: skip
        audit.record(
            actor=actor,
            action="learning.certificate.added",
            obj=certificate,
            after={
                "person": person.pk,
                **audit.snapshot(
                    certificate, ["certification", "issued_on", "expires_on", "credential_id"]
                ),
            },
        )
    return certificate


def send_expiry_alerts(*, today: dt.date | None = None) -> dict[str, int]:
    """Each certificate's alert 60, 30 and 7 days before its end and on it, once each; only
    the newest certificate of a person's certification is announced (a renewed one is not)."""
    from charter.learning import tasks

    sent = {"60": 0, "30": 0, "7": 0, "expired": 0}
    candidates = Certificate.objects.filter(person__is_active=True).select_related("person__org")
    if today is not None:
        candidates = candidates.filter(
            expires_on__lte=today + dt.timedelta(days=60),
            expires_on__gte=today - dt.timedelta(days=7),
        )
    newest = {
        (row["person_id"], row["certification_id"]): row["latest"]
        for row in Certificate.objects.values("person_id", "certification_id").annotate(
            latest=Max("expires_on")
        )
    }
    done = set(
        CertificateAlert.objects.filter(certificate__in=candidates).values_list(
            "certificate_id", "stage"
        )
    )
    for certificate in candidates:
        if newest[(certificate.person_id, certificate.certification_id)] > certificate.expires_on:
            continue
        day = today or org_today(certificate.person.org)
        stage = alert_stage(certificate.expires_on, day)
        if stage is None or (certificate.pk, stage) in done:
            continue
        with transaction.atomic():
            CertificateAlert.objects.create(certificate=certificate, stage=stage)
            audit.record(
                actor=None,
                action="learning.certificate.alerted",
                obj=certificate,
                after={"stage": stage, "expires_on": certificate.expires_on},
            )
            transaction.on_commit(
                lambda cid=certificate.pk, s=stage: tasks.send_certificate_alert.enqueue(  # type: ignore[misc]
                    certificate_id=cid, stage=s
                )
            )
        sent[stage] += 1
    return sent


def certificates_import(
    *, org: Organization, actor: Any, rows: list[dict[str, Any]], run: Any = None
) -> tuple[int, int, int]:
    """Write certificates from a file: a person's certificate of a certification issued on a
    day is one certificate; the same row again changes nothing, a new end or credential id
    updates it. Rows are checked by the importer before; this runs inside its transaction.
    Returns (created, updated, unchanged)."""
    people = {r["person"] for r in rows}
    existing = {
        (c.person_id, c.certification_id, c.issued_on): c
        for c in Certificate.objects.filter(org=org, person_id__in=people)
    }
    created = updated = unchanged = 0
    for row in rows:
        key = (row["person"], row["certification"], row["issued_on"])
        found = existing.get(key)
        if found is None:
            existing[key] = Certificate.objects.create(
                org=org, person_id=row["person"], certification_id=row["certification"],
                issued_on=row["issued_on"], expires_on=row["expires_on"],
                credential_id=row["credential_id"], created_by=actor,
            )  # fmt: skip
            created += 1
        elif (found.expires_on, found.credential_id) == (row["expires_on"], row["credential_id"]):
            unchanged += 1
        else:
            found.expires_on, found.credential_id = row["expires_on"], row["credential_id"]
            found.save(update_fields=["expires_on", "credential_id"])
            updated += 1
    if created or updated:
        audit.record(
            actor=actor,
            action="learning.certificates.imported",
            obj=run,
            after={"created": created, "updated": updated, "unchanged": unchanged},
        )
    return created, updated, unchanged
