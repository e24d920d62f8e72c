"""Reads of the import machinery. Imports are an admin tool: callers check access first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from charter.core.models import ImportProfile, ImportRun

if TYPE_CHECKING:
    from charter.org.models import Organization


def import_profiles(*, org: Organization, kind: str) -> QuerySet[ImportProfile]:
    return ImportProfile.objects.filter(org=org, kind=kind).order_by("name")


def import_profile_get(*, org: Organization, kind: str, name: str) -> ImportProfile | None:
    name = " ".join(name.split())
    return import_profiles(org=org, kind=kind).filter(name__iexact=name).first()


def import_runs(*, org: Organization, kind: str) -> QuerySet[ImportRun]:
    return ImportRun.objects.filter(org=org, kind=kind).select_related("created_by", "job")
