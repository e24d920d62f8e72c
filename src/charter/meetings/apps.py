from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "charter.meetings"
    label = "meetings"
    verbose_name = "One-on-ones"
