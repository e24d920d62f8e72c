from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "charter.kpis"
    label = "kpis"
    verbose_name = "KPIs and scorecards"

    def ready(self) -> None:
        from charter.kpis import (
            providers,  # noqa: F401  (KPI sections and measures for expectations)
            receivers,  # noqa: F401  (connects the rollups to fact writes)
        )
