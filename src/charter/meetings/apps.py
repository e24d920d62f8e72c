from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "charter.meetings"
    label = "meetings"
    verbose_name = "One-on-ones"

    def ready(self) -> None:
        # 1:1s held as a KPI metric and its built-in KPI.
        from charter.kpis.registry import register
        from charter.meetings.metrics import CONTRIBUTOR

        register(CONTRIBUTOR)
