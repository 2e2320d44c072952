from django.apps import AppConfig


class TestingConfig(AppConfig):
    name = "appwarden.platform.testing"
    label = "testing"
    verbose_name = "检测 Testing"
