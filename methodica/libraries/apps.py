from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibrariesConfig(AppConfig):
    name = "methodica.libraries"
    label = "libraries"
    verbose_name = _("Library register")

    def ready(self) -> None:
        from methodica.libraries import timeline  # noqa: F401 - registers the sources
