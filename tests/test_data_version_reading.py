"""The source reading of tests/test_data_version.py checked on samples: it finds a write to
scorecard data without a data-version bump, and leaves other models and reads alone. (Apart
from that file to keep it small.)"""

from __future__ import annotations

import pytest

from tests.test_data_version import read


@pytest.mark.parametrize(
    "body",
    [
        "Person.objects.filter(org=org).update(is_active=False)",
        "Team.objects.bulk_create([Team(org=org, name='x')])",
        "person.save(update_fields=['team'])",
        "target.revisions.create(value=1)",
        "model._default_manager.filter(org=org).update(owner=None)",
        "settings, _ = ScorecardSettings.objects.get_or_create(org=org)\n    settings.save()",
        "for p in Person.objects.filter(org=org):\n        p.delete()",
        "for p in people:\n        p.save()",
    ],
)
def test_the_reading_finds_a_write_without_a_bump(body: str) -> None:
    source = (
        "def change(*, org: Organization, person: Person, target: Target,"
        f" people: list[Person], model: type[Any]) -> None:\n    {body}\n"
    )
    found = read(source, "sample")
    assert found
    assert not any(write.bumps for write in found)
    bumped = read(source + "    data_version_bump(org_id=org.pk)\n", "sample")
    assert bumped
    assert all(write.bumps for write in bumped)


@pytest.mark.parametrize(
    "body",
    [
        "person.user.save(update_fields=['is_active'])",
        "Person.objects.filter(org=org).values_list('pk', flat=True)",
        "Invitation.objects.filter(person=person).update(accepted_at=None)",
        "ImportRun.objects.create(org=org)",
    ],
)
def test_the_reading_leaves_other_models_and_reads_alone(body: str) -> None:
    source = f"def read(*, org: Organization, person: Person) -> None:\n    {body}\n"
    assert read(source, "sample") == []
