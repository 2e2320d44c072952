from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "appwarden.platform.enforcement"
    label = "enforcement"
    verbose_name = "处置 Enforcement"

    def ready(self) -> None:
        from appwarden.platform.enforcement import workflow
        from appwarden.platform.testing.signals import scan_finished

        scan_finished.connect(workflow.on_scan_finished, dispatch_uid="enforcement-retest")
        from appwarden.platform.enforcement import sdk_workflow

        scan_finished.connect(sdk_workflow.on_scan_finished, dispatch_uid="enforcement-sdk-retest")
