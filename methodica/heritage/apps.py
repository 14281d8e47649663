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

        # Pages are re-indexed for search when their text changes (OCR, correction).
        try:
            from methodica.heritage.ocr_pipeline import page_text_changed
        except ImportError:
            pass
        else:
            from methodica.heritage.search import on_page_text_changed

            page_text_changed.connect(on_page_text_changed, dispatch_uid="search")

        from methodica.heritage.demo import load_demo_heritage
        from methodica.libraries.demo import register_demo_extension

        register_demo_extension(load_demo_heritage)

        # The fixity audit runs by itself every METHODICA_FIXITY_DAYS days.
        register_periodic(
            "heritage.fixity",
            every=datetime.timedelta(days=settings.METHODICA_FIXITY_DAYS),
            enqueue=audit_fixity.enqueue,
        )
