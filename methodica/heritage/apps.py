from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HeritageConfig(AppConfig):
    name = "methodica.heritage"
    label = "heritage"
    verbose_name = _("Local history")

    def ready(self) -> None:
        import datetime

        from django.conf import settings

        from methodica.core.schedule import register_periodic
        from methodica.heritage.tasks import audit_fixity

        # The fixity audit runs by itself every METHODICA_FIXITY_DAYS days.
        register_periodic(
            "heritage.fixity",
            every=datetime.timedelta(days=settings.METHODICA_FIXITY_DAYS),
            enqueue=audit_fixity.enqueue,
        )
