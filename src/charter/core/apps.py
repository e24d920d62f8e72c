from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "charter.core"
    label = "core"
    verbose_name = "Charter core"

    def ready(self) -> None:
        # Each app's periodic.py, importers.py and demo.py register themselves on import.
        from charter.core import registry

        registry.autodiscover()
