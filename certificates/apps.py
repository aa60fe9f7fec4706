from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "certificates"

    def ready(self) -> None:
        from django.core.checks import register

        from certificates.checks import signing_files_present

        register(signing_files_present)
        from celery.signals import worker_process_init, worker_process_shutdown

        from accounts.api import series_lock_hooks, staff_list_annotations
        from certificates import audit
        from certificates.receivers import worker_process_init as process_init
        from certificates.receivers import worker_process_shutdown as process_shutdown
        from certificates.receivers import year_summary_changed
        from certificates.selectors.certificates import (
            latest_certificate_field,
            series_locked_years,
        )
        from credits.api import year_summary_changed as changed_signal

        changed_signal.connect(
            year_summary_changed, dispatch_uid="certificates.year_summary_changed"
        )
        worker_process_init.connect(process_init, dispatch_uid="certificates.process_init")
        worker_process_shutdown.connect(
            process_shutdown, dispatch_uid="certificates.process_shutdown"
        )
        series_lock_hooks.append(series_locked_years)
        staff_list_annotations["certificate_status"] = lambda: latest_certificate_field(
            "status", person_ref="person_id"
        )
        staff_list_annotations["certificate_year"] = lambda: latest_certificate_field(
            "year", person_ref="person_id"
        )
        audit.register()
        from certificates import audit_bulk

        audit_bulk.register()
