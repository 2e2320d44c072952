from django.apps import AppConfig


class SanctionsConfig(AppConfig):
    name = "appwarden.platform.sanctions"
    label = "sanctions"
    verbose_name = "惩戒与信用 Sanctions and credit"

    def ready(self) -> None:
        # Every change of a measure or a history row also goes to the generic audit log, like the models of the
        # apps in core.audit.PLATFORM_APPS (connected here so that core's list stays as it is).
        from django.db.models.signals import post_delete, post_save

        from appwarden.platform.core import audit

        for model in self.get_models():
            label = model._meta.label_lower
            post_save.connect(audit._on_save, sender=model, dispatch_uid=f"audit-save-{label}")
            post_delete.connect(audit._on_delete, sender=model, dispatch_uid=f"audit-del-{label}")
