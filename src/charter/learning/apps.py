from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "charter.learning"
    label = "learning"
    verbose_name = "Learning and development"

    def ready(self) -> None:
        # The section provider and measure kind for expectations register themselves on import.
        from charter.kpis.registry import register
        from charter.learning import providers  # noqa: F401
        from charter.learning.metrics import CONTRIBUTOR

        # Learning hours and completions as KPI metrics, and their built-in KPIs.
        register(CONTRIBUTOR)
