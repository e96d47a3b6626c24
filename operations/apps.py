"""App configuration: the workers' heartbeat starts in every django-q2 worker process."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Health, readiness, metrics and structured logs for the people who run the service."""

    name = "operations"
    verbose_name = _("Operations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Start a heartbeat thread in each worker process django-q2 spawns."""
        from django_q.signals import post_spawn

        from operations.heartbeat import start_in_worker

        post_spawn.connect(start_in_worker, dispatch_uid="operations.heartbeat")
