from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def register_periodic_jobs() -> None:
    """Reminders and feedback surveys go out without cron: the worker enqueues them."""
    import datetime

    from methodica.core.schedule import register_periodic
    from methodica.training.feedback_tasks import send_feedback_surveys
    from methodica.training.tasks import send_session_reminders

    hourly = datetime.timedelta(hours=1)
    register_periodic(
        "training.reminders", every=hourly, enqueue=send_session_reminders.enqueue
    )
    register_periodic(
        "training.feedback", every=hourly, enqueue=send_feedback_surveys.enqueue
    )


class TrainingConfig(AppConfig):
    name = "methodica.training"
    label = "training"
    verbose_name = _("Training")

    def ready(self) -> None:
        from django.core import checks

        from methodica.core.timeline import register_source
        from methodica.libraries.demo import register_demo_extension
        from methodica.training.demo import load_demo_training
        from methodica.training.feedback_tasks import check_site_url
        from methodica.training.timeline import trainings_attended

        register_source(trainings_attended)
        register_periodic_jobs()
        register_demo_extension(load_demo_training)
        # manage.py check --deploy: emailed links need METHODICA_SITE_URL.
        checks.register(check_site_url, checks.Tags.security, deploy=True)
