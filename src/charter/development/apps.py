from django.apps import AppConfig


class DevelopmentConfig(AppConfig):
    name = "charter.development"
    label = "development"
    verbose_name = "Mentorships and development plans"
