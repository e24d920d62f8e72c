from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "charter.org"
    label = "org"
    verbose_name = "Organization"

    def ready(self) -> None:
        from charter.core import registry
        from charter.org.access import person_of

        registry.register_person_lookup(person_of)
