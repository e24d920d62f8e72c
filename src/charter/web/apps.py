from django.apps import AppConfig


class WebConfig(AppConfig):
    """The shell pages: home, audit log, jobs. Depends on every domain app; none depends on it."""

    name = "charter.web"
    label = "web"
    verbose_name = "Web shell"
