"""Writes of the CRM app: facts from imports, owners claimed by a person, exchange rates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import islice
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from charter.core import audit
from charter.core.imports.base import Counts
from charter.core.models import ImportRun
from charter.crm.models import ExchangeRate
from charter.crm.owners import FACT_MODELS, guess_alias_kind
from charter.org import services as org_services
from charter.org.models import Organization, OwnerAlias, Person

M = TypeVar("M", bound=Model)

UPSERT_CHUNK = 2_000


def _chunks(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def facts_upsert(
    *,
    model: type[M],
    org: Organization,
    source: str,
    rows: Iterable[dict[str, Any]],
    run: ImportRun | None,
) -> Counts:
    """Create or update facts keyed by (org, source, external_id), a chunk at a time: one read
    and at most one bulk insert and one bulk update per chunk. Call inside a transaction; the
    import run's audit event records the file, so rows are not audited one by one."""
    counts = Counts()
    now = timezone.now()
    for chunk in _chunks(rows, UPSERT_CHUNK):
        ids = [r["external_id"] for r in chunk]
        existing = {
            obj.external_id: obj  # type: ignore[attr-defined]
            for obj in model._default_manager.filter(org=org, source=source, external_id__in=ids)
        }
        fresh: list[M] = []
        changed: list[M] = []
        changed_fields: set[str] = set()
        for values in chunk:
            obj = existing.get(values["external_id"])
            if obj is None:
                fresh.append(
                    model(
                        org=org,
                        source=source,
                        import_run=run,
                        created_at=now,
                        updated_at=now,
                        **values,
                    )
                )
                continue
            diff = [name for name, value in values.items() if getattr(obj, name) != value]
            if not diff:
                counts.unchanged += 1
                continue
            for name in diff:
                setattr(obj, name, values[name])
            obj.updated_at = now  # type: ignore[attr-defined]
            obj.import_run = run  # type: ignore[attr-defined]
            changed.append(obj)
            changed_fields.update(diff)
        if fresh:
            model._default_manager.bulk_create(fresh, batch_size=500)
            counts.created += len(fresh)
        if changed:
            fields = sorted(changed_fields | {"updated_at", "import_run"})
            model._default_manager.bulk_update(changed, fields, batch_size=500)
            counts.updated += len(changed)
    return counts


# -- owners -------------------------------------------------------------------------------


def owner_resolve(
    *, org: Organization, key: str, person: Person, actor: Any, kind: str | None = None
) -> dict[str, int]:
    """Say that the CRM owner `key` is `person`: record an alias (so later imports match) and
    give them every unmatched record under that key, one update per fact table."""
    key = " ".join(key.split()).lower()
    if not key:
        raise ValidationError({"key": "Choose an owner."})
    if person.org_id != org.pk:
        raise ValidationError({"person": "That person belongs to another organization."})
    kind = kind or guess_alias_kind(key)
    if kind not in OwnerAlias.Kind.values:
        raise ValidationError({"kind": f"{kind!r} is not an alias kind."})
    now = timezone.now()
    with transaction.atomic():
        org_services.owner_alias_add(person=person, actor=actor, kind=kind, value=key, source="crm")
        counts = {
            name: model._default_manager.filter(org=org, owner__isnull=True, owner_key=key).update(
                owner=person, updated_at=now
            )
            for name, model in FACT_MODELS.items()
        }
        audit.record(
            actor=actor,
            action="crm.owner.resolved",
            obj=person,
            after={"owner_key": key, "alias_kind": kind, **counts},
        )
    return counts


def owner_resolve_new_person(
    *, org: Organization, key: str, full_name: str, email: str, actor: Any, kind: str | None = None
) -> tuple[Person, dict[str, int]]:
    """Create the person an unmatched CRM owner is, then give them the owner's records."""
    with transaction.atomic():
        person = org_services.person_create(org=org, actor=actor, full_name=full_name, email=email)
        counts = owner_resolve(org=org, key=key, person=person, actor=actor, kind=kind)
    return person, counts


# -- exchange rates -----------------------------------------------------------------------


def clean_currency(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ValidationError({"currency": f"{value!r} is not a three-letter currency code."})
    return code


def exchange_rate_set(
    *, org: Organization, currency: str, rate: Decimal, valid_from: dt.date, actor: Any
) -> tuple[ExchangeRate, bool]:
    """Add (or correct) the rate of `currency` from `valid_from`; returns (rate, changed).
    Deals already imported keep the reporting amount they were imported with."""
    code = clean_currency(currency)
    if code == org.reporting_currency.upper():
        raise ValidationError(
            {"currency": f"{code} is the reporting currency; it needs no exchange rate."}
        )
    if rate <= 0:
        raise ValidationError({"rate": "A rate must be more than 0."})
    with transaction.atomic():
        existing = ExchangeRate.objects.filter(
            org=org, currency=code, valid_from=valid_from
        ).first()
        if existing is not None and existing.rate == rate:
            return existing, False
        before = {"rate": str(existing.rate)} if existing is not None else None
        if existing is None:
            existing = ExchangeRate.objects.create(
                org=org, currency=code, rate=rate, valid_from=valid_from
            )
        else:
            existing.rate = rate
            existing.save(update_fields=["rate"])
        audit.record(
            actor=actor,
            action="crm.exchange_rate.set",
            obj=existing,
            before=before,
            after={"currency": code, "rate": str(rate), "valid_from": valid_from.isoformat()},
        )
    return existing, True


def exchange_rates_upsert(
    *, org: Organization, rows: Sequence[tuple[str, Decimal, dt.date]], actor: Any
) -> Counts:
    """Many rates at once (the rates importer), each through `exchange_rate_set`."""
    counts = Counts()
    existing = set(ExchangeRate.objects.filter(org=org).values_list("currency", "valid_from"))
    for currency, rate, valid_from in rows:
        _rate, changed = exchange_rate_set(
            org=org, currency=currency, rate=rate, valid_from=valid_from, actor=actor
        )
        if not changed:
            counts.unchanged += 1
        elif (currency, valid_from) in existing:
            counts.updated += 1
        else:
            counts.created += 1
    return counts
