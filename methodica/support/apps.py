from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "methodica.support"
    label = "support"
    verbose_name = _("Methodological help")

    def ready(self) -> None:
        from methodica.libraries.demo import register_demo_extension
        from methodica.support import timeline
        from methodica.support.demo import load_demo_support

        timeline.register()
        register_demo_extension(load_demo_support)
