from django.apps import AppConfig


class WebConfig(AppConfig):
    """The shell pages: home, audit log, jobs. Built on core and org; no app imports it."""

    name = "charter.web"
    label = "web"
    verbose_name = "Web shell"
