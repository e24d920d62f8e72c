"""People loaded by the ORM go through `Person.from_db` (charter.core.rows.from_db): built
without Model.__init__ when every column is loaded, through Django's path otherwise; either way
they must be what Django would build."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Model
from django.db.models.signals import post_init

from charter.core import rows
from charter.org.models import Person


def fields_of(person: Model) -> dict[str, tuple[Any, type]]:
    return {
        f.attname: (getattr(person, f.attname), type(getattr(person, f.attname)))
        for f in Person._meta.concrete_fields
    }


def django_built(pk: int) -> Person:
    # What Model.from_db (and so Model.__init__) makes of the same row.
    person = Person.objects.values_list(*[f.attname for f in Person._meta.concrete_fields]).get(
        pk=pk
    )
    return Model.from_db.__func__(  # type: ignore[attr-defined]
        Person, "default", [f.attname for f in Person._meta.concrete_fields], person
    )


@pytest.mark.django_db
def test_a_fully_loaded_person_equals_djangos_and_behaves_as_loaded(
    rep: Person, django_assert_num_queries: Any
) -> None:
    # The fast path applies to Person (no own __init__, plain field attributes).
    assert rows._plan(Person, "default").plain
    loaded = Person.objects.get(pk=rep.pk)

    assert fields_of(loaded) == fields_of(django_built(rep.pk))
    assert loaded._state.adding is False
    assert loaded._state.db == "default"
    assert loaded.get_deferred_fields() == set()
    assert loaded.pk == rep.pk
    assert loaded == rep
    with django_assert_num_queries(1):
        assert loaded.org.pk == rep.org_id
    loaded.title = "Regional lead"
    loaded.save(update_fields=["title"])
    assert Person.objects.get(pk=rep.pk).title == "Regional lead"


@pytest.mark.django_db
def test_a_person_with_deferred_fields_takes_djangos_path(
    rep: Person, django_assert_num_queries: Any
) -> None:
    partial = Person.objects.only("full_name").get(pk=rep.pk)

    assert partial.get_deferred_fields() >= {"email", "title", "team_id"}
    with django_assert_num_queries(1):
        assert partial.email == rep.email  # loaded on first use, as Django does


@pytest.mark.django_db
def test_init_signal_receivers_still_see_every_loaded_person(rep: Person) -> None:
    seen: list[Model] = []

    def receiver(sender: Any, instance: Model, **kwargs: Any) -> None:
        seen.append(instance)

    post_init.connect(receiver, sender=Person, weak=False)
    try:
        loaded = Person.objects.get(pk=rep.pk)
    finally:
        post_init.disconnect(receiver, sender=Person)
    assert seen == [loaded]
