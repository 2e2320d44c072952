from django.apps import AppConfig


class AttestationConfig(AppConfig):
    name = "appwarden.platform.attestation"
    label = "attestation"
    verbose_name = "认证签名 Attestations"

    def ready(self) -> None:
        from appwarden.platform.attestation import services
        from appwarden.platform.testing.signals import scan_finished

        scan_finished.connect(services.on_scan_finished, dispatch_uid="attestation-revoke-on-failed-test")
