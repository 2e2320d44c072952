from django.apps import AppConfig


class SanctionsConfig(AppConfig):
    name = "appwarden.platform.sanctions"
    label = "sanctions"
    verbose_name = "惩戒与信用 Sanctions and credit"
