from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "appwarden.platform.web"
    label = "web"
    verbose_name = "界面 Web"
