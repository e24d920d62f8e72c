from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "charter.learning"
    label = "learning"
    verbose_name = "Learning and development"
