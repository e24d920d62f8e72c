from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "charter.learning"
    label = "learning"
    verbose_name = "Learning and development"

    def ready(self) -> None:
        # The section provider and measure kind for expectations register themselves on import.
        from charter.learning import providers  # noqa: F401
