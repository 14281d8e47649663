from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "methodica.reporting"
    label = "reporting"
    verbose_name = _("Annual reports")

    def ready(self) -> None:
        from methodica.libraries.demo import register_demo_extension
        from methodica.reporting.demo import load_demo_reports

        register_demo_extension(load_demo_reports)
