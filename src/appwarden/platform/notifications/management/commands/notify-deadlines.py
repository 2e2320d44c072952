"""``python -m appwarden.platform notify-deadlines``: the same command as ``notify_deadlines`` under the
hyphenated name used by ``appwarden notify-deadlines`` (cron lines may use either)."""

from appwarden.platform.notifications.management.commands.notify_deadlines import Command

__all__ = ["Command"]
