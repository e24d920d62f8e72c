"""Fill in the organization of the audit rows written before rows had one, so each
organization's admins keep reading their whole history. One organization (every installation
so far): all rows are its. Several: each row takes its object's organization, else its actor's;
a row that names neither stays without one (no admin reads it rather than the wrong one)."""

from typing import Any

from django.db import migrations


def _org_of_object(apps: Any, object_type: str, object_id: str) -> int | None:
    if object_type == "org.organization":
        return int(object_id) if object_id.isdigit() else None
    try:
        model = apps.get_model(*object_type.split(".", 1))
    except (LookupError, ValueError):
        return None
    fields = {f.name: f for f in model._meta.concrete_fields}
    row = model._default_manager.filter(pk=object_id).first() if object_id else None
    if row is None:
        return None
    if "org" in fields:
        return row.org_id
    for field in fields.values():
        target = field.related_model
        if (
            field.many_to_one
            and target is not None
            and any(f.name == "org" for f in target._meta.concrete_fields)
        ):
            related = getattr(row, field.name)
            if related is not None:
                return related.org_id
    return None


def forwards(apps: Any, schema_editor: Any) -> None:
    AuditEvent = apps.get_model("core", "AuditEvent")
    Organization = apps.get_model("org", "Organization")
    Person = apps.get_model("org", "Person")
    orgs = list(Organization.objects.values_list("pk", flat=True)[:2])
    if not orgs:
        return
    if len(orgs) == 1:
        AuditEvent.objects.filter(org__isnull=True).update(org_id=orgs[0])
        return
    org_of_user = dict(Person.objects.filter(user__isnull=False).values_list("user_id", "org_id"))
    for event in AuditEvent.objects.filter(org__isnull=True).iterator():
        org_id = _org_of_object(apps, event.object_type, event.object_id)
        if org_id is None and event.actor_id is not None:
            org_id = org_of_user.get(event.actor_id)
        if org_id is None and event.object_type == "accounts.user":
            org_id = org_of_user.get(int(event.object_id)) if event.object_id.isdigit() else None
        if org_id is not None:
            AuditEvent.objects.filter(pk=event.pk).update(org_id=org_id)


def backwards(apps: Any, schema_editor: Any) -> None:
    AuditEvent = apps.get_model("core", "AuditEvent")
    AuditEvent.objects.update(org_id=None)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_audit_event_org"),
        ("org", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
