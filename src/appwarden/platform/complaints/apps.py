from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "appwarden.platform.complaints"
    label = "complaints"
    verbose_name = "投诉 Complaints"
