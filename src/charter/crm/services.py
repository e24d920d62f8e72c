"""Writes of the CRM app: facts from imports, owners claimed by a person, exchange rates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from functools import partial
from itertools import islice
from operator import itemgetter
from typing import Any, TypeVar, cast

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Field, Model
from django.utils import timezone

from charter.core import audit
from charter.core.decimals import exact_problem
from charter.core.imports.base import Counts
from charter.core.models import ImportRun
from charter.crm.models import ExchangeRate
from charter.crm.owners import FACT_MODELS, guess_alias_kind
from charter.crm.signals import FactListener, facts_reattributed, facts_writing
from charter.org import services as org_services
from charter.org.models import Organization, OwnerAlias, Person
from charter.org.versions import data_version_bump

M = TypeVar("M", bound=Model)

# Rows read, compared and written per round trip: big enough that the per-statement cost
# vanishes, small enough that one chunk's rows and existing values stay a few MB.
UPSERT_CHUNK = 5_000
# Field types whose clean Python value is already what the database driver takes; every other
# field goes through Django's own `get_db_prep_save`, so dates, decimals and time zones are
# stored exactly as the ORM stores them.
_AS_IS = frozenset(
    {
        "CharField",
        "TextField",
        "IntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
        "BigIntegerField",
        "ForeignKey",
    }
)


def _chunks(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _column(model: type[Model], name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or not field.column:
        raise LookupError(f"{name} is not a column of {model.__name__}")
    return field


def _converter(field: Field[Any, Any]) -> Callable[[Any], Any]:
    """`field.get_db_prep_save` for one connection. For a clean value of the field's own type
    (a Decimal, a date, an aware datetime) that comes down to the backend's adapter, so that is
    called directly: the same value, a fraction of the calls."""
    slow = partial(field.get_db_prep_save, connection=connection)
    ops = connection.ops
    kind = field.get_internal_type()
    if kind == "DecimalField":
        digits, places = field.max_digits, field.decimal_places  # type: ignore[attr-defined]

        def decimal(value: Any) -> Any:
            if type(value) is Decimal and value.is_finite():
                return ops.adapt_decimalfield_value(value, digits, places)
            return slow(value)

        return decimal
    if kind == "DateField":

        def date(value: Any) -> Any:
            return ops.adapt_datefield_value(value) if type(value) is dt.date else slow(value)

        return date
    if kind == "DateTimeField":

        def moment(value: Any) -> Any:
            if type(value) is dt.datetime and value.utcoffset() is not None:
                return ops.adapt_datetimefield_value(value)
            return slow(value)

        return moment
    return slow


class _FactWriter:
    """The SQL and value conversions of one fact table for one set of row keys, built once so
    each row costs a tuple, a comparison and a place in an executemany. The SQL names only the
    model's own table and columns, quoted; every value is a parameter."""

    def __init__(self, model: type[Model], names: Sequence[str]) -> None:
        quote = connection.ops.quote_name
        fields = [_column(model, name) for name in names]
        self.values_of = itemgetter(*names)
        self.owner_at = names.index("owner_id") if "owner_id" in names else None
        # (position, converter) of the values the driver cannot take as they are.
        self.converters = [
            (i, _converter(f)) for i, f in enumerate(fields) if f.get_internal_type() not in _AS_IS
        ]
        fixed = [
            _column(model, n)
            for n in ("org_id", "source", "import_run_id", "created_at", "updated_at")
        ]
        self.stamp = _column(model, "updated_at")
        taken = {f.attname for f in (*fields, *fixed)}
        # Columns neither the rows nor the upsert fill take the model's default, as a model
        # instance would.
        self.defaults = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, Field) and not f.primary_key and f.attname not in taken
        ]
        inserted = [str(f.column) for f in (*fixed, *self.defaults, *fields)]
        table = quote(model._meta.db_table)
        self.insert_sql = (
            f"INSERT INTO {table} ({', '.join(quote(c) for c in inserted)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(inserted))})"
        )
        updated = [
            str(f.column) for f in (*fields[1:], self.stamp, _column(model, "import_run_id"))
        ]
        assignments = ", ".join(f"{quote(c)} = %s" for c in updated)
        pk = quote(str(_column(model, model._meta.pk.name).column))
        self.update_sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608

    def fixed(
        self, *, org: Organization, source: str, run: ImportRun | None, now: dt.datetime
    ) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        """The values every inserted row starts with, and those every updated row ends with
        (before its primary key)."""
        stamp = self.stamp.get_db_prep_save(now, connection=connection)
        run_id = run.pk if run is not None else None
        defaults = (
            f.get_db_prep_save(f.get_default(), connection=connection) for f in self.defaults
        )
        return (org.pk, source, run_id, stamp, stamp, *defaults), (stamp, run_id)

    def owner_key(self, values: tuple[Any, ...]) -> int:
        # Unowned rows (None) first; the order of rows within an owner stays the file's.
        owner = values[self.owner_at] if self.owner_at is not None else None
        return owner if owner is not None else -1

    def prepared(self, values: tuple[Any, ...]) -> tuple[Any, ...]:
        if not self.converters:
            return values
        out = list(values)
        for i, convert in self.converters:
            if out[i] is not None:
                out[i] = convert(out[i])
        return tuple(out)


def facts_upsert(
    *,
    model: type[M],
    org: Organization,
    source: str,
    rows: Iterable[dict[str, Any]],
    run: ImportRun | None,
) -> Counts:
    """Create or update facts keyed by (org, source, external_id), a chunk at a time: one read
    of the chunk's existing rows, then one executemany of plain INSERTs for the new ones and
    one of UPDATEs for the changed ones (a row whose values all equal the stored ones is left
    alone and counted unchanged). Call inside a transaction; the import run's audit event
    records the file, so rows are not audited one by one. Every row must have the same keys,
    `external_id` among them."""
    counts = Counts()
    now = timezone.now()
    writers: dict[tuple[str, ...], _FactWriter] = {}
    manager = model._default_manager
    listeners: list[FactListener] = [
        cast(FactListener, found)
        for _, found in facts_writing.send(model, org=org)
        if found is not None
    ]
    for chunk in _chunks(rows, UPSERT_CHUNK):
        keys = tuple(chunk[0])
        if any(tuple(values) != keys for values in chunk):
            raise ValueError("every fact row of an upsert must have the same fields")
        # external_id first, so a row's tuple and the stored one line up from position 0.
        names = ("external_id", *(k for k in keys if k != "external_id"))
        writer = writers.get(names)
        if writer is None:
            writer = writers[names] = _FactWriter(model, names)
        tuples = [writer.values_of(values) for values in chunk]
        if writer.owner_at is not None:
            # Written owner by owner: each owner's new entries in the (owner, date) indexes
            # then go into the same few index pages one after another, instead of every page
            # being fetched (from disk, on a big table) again for each of its rows.
            tuples.sort(key=writer.owner_key)
        existing = {
            stored[1]: stored
            for stored in manager.filter(
                org=org, source=source, external_id__in=[t[0] for t in tuples]
            ).values_list("pk", *names)
        }
        fresh: list[tuple[Any, ...]] = []
        changed: list[tuple[Any, ...]] = []
        head, tail = writer.fixed(org=org, source=source, run=run, now=now)
        # What the rows were and are, for whoever derives data from facts (the KPI rollups).
        before: list[tuple[Any, ...]] = []
        after: list[tuple[Any, ...]] = []
        for values in tuples:
            stored = existing.get(values[0])
            if stored is None:
                fresh.append(head + writer.prepared(values))
                after.append(values)
            elif stored[1:] == values:
                counts.unchanged += 1
            else:
                changed.append((*writer.prepared(values)[1:], *tail, stored[0]))
                before.append(stored[1:])
                after.append(values)
        with connection.cursor() as cursor:
            if fresh:
                cursor.executemany(writer.insert_sql, fresh)
                counts.created += len(fresh)
            if changed:
                cursor.executemany(writer.update_sql, changed)
                counts.updated += len(changed)
        if after:
            for listener in listeners:
                listener.add(names, before, after)
    for listener in listeners:
        listener.finish()
    if counts.created or counts.updated:
        data_version_bump(org_id=org.pk)
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
        if any(counts.values()):
            data_version_bump(org_id=org.pk)
            facts_reattributed.send(None, org=org, person_ids=[person.pk])
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
    problem = exact_problem(rate)
    if problem:
        raise ValidationError({"rate": f"The rate {rate} {problem}."})
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
