from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "charter.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        # Registers the schema extensions (drf-spectacular finds them by subclassing).
        from charter.api import schema  # noqa: F401
