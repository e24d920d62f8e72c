from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "charter.feedback"
    label = "feedback"
    verbose_name = "Feedback and recognition"

    def ready(self) -> None:
        # The sections on the values and person pages register themselves on import; the KPI
        # engine learns the feedback metrics here, so it never imports this app.
        from charter.feedback import sections  # noqa: F401
        from charter.feedback.metrics import CONTRIBUTOR
        from charter.kpis.registry import register

        register(CONTRIBUTOR)
