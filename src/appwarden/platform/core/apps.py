from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "appwarden.platform.core"
    label = "core"
    verbose_name = "核心 Core"

    def ready(self) -> None:
        from appwarden.platform.core import audit

        audit.connect_signals()
        from django.db.backends.signals import connection_created

        connection_created.connect(_sqlite_wal, dispatch_uid="appwarden-sqlite-wal")


def _sqlite_wal(sender, connection, **kwargs) -> None:
    """SQLite in WAL mode: the web threads read while the embedded worker writes."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
