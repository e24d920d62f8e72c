from django.apps import AppConfig


class ExpectationsConfig(AppConfig):
    name = "charter.expectations"
    label = "expectations"
    verbose_name = "Expectations"

    def ready(self) -> None:
        # The section providers this app ships register themselves on import.
        from charter.expectations import providers  # noqa: F401
