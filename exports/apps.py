"""App configuration: builds the service graph once at start-up."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    """The Bufdir export app."""

    name = "exports"
    verbose_name = _("Bufdir exports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Build the service graph (no I/O: connections open on first use); make django-q2's queue death-safe
        and its workers stop cleanly; keep an unused Fernet out of memory; give the admin's yes/no icons,
        third-party models and permissions Norwegian words."""
        from django.conf import settings

        import exports.checks  # noqa: F401  (registers the system checks)
        from exports import admin_wording, lean_imports, third_party_wording, worker_queue
        from exports.container import build_container
        from exports.lifecycle import shutdown

        build_container()
        admin_wording.install()
        third_party_wording.install()
        worker_queue.install()
        shutdown.install_in_workers()
        lean_imports.skip_unused_fernet(getattr(settings, "CHANNEL_LAYERS", {}))
