from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "charter.feedback"
    label = "feedback"
    verbose_name = "Feedback and recognition"
