from django.apps import AppConfig


class SelfcheckConfig(AppConfig):
    name = "appwarden.platform.selfcheck"
    label = "selfcheck"
    verbose_name = "企业自评估 Self-assessment"
