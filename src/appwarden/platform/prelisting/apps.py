from django.apps import AppConfig


class PrelistingConfig(AppConfig):
    name = "appwarden.platform.prelisting"
    label = "prelisting"
    verbose_name = "上架前检测 Pre-listing checks"
