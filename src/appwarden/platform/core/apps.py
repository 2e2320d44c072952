from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "appwarden.platform.core"
    label = "core"
    verbose_name = "核心 Core"

    def ready(self) -> None:
        from appwarden.platform.core import audit

        audit.connect_signals()
