from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "charter.org"
    label = "org"
    verbose_name = "Organization"
