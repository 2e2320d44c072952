from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "appwarden.platform.notifications"
    label = "notifications"
    verbose_name = "通知 Notifications"

    def ready(self) -> None:
        from appwarden.platform.notifications import receivers

        receivers.connect()
