from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "charter.crm"
    label = "crm"
    verbose_name = "CRM data"
