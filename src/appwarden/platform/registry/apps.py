from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "appwarden.platform.registry"
    label = "registry"
    verbose_name = "登记 Registry"
