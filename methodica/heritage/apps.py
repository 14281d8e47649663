from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HeritageConfig(AppConfig):
    name = "methodica.heritage"
    label = "heritage"
    verbose_name = _("Local history")
