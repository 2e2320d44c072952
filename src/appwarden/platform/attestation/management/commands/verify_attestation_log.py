"""``python -m appwarden.platform verify_attestation_log``: re-hash every leaf body and stored tree node of the
transparency log (APP认证签名) against every signed checkpoint (:func:`~appwarden.platform.attestation.logcheck.
verify_log`); exits non-zero with the first problem in one line. Celery beat and the embedded worker run it daily;
this is for cron set-ups and audits."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "verify the whole transparency log (透明日志): leaf bodies, tree nodes, signed checkpoints"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=2000, help="entries read per query (memory bound)")

    def handle(self, *args, **options):
        from appwarden.platform.attestation.logcheck import check_log

        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1")
        result = check_log(options["batch"])  # not logged: the one line below says it
        if result.problem:
            raise CommandError(f"透明日志校验失败 transparency log check failed: {result.problem}")
        self.stdout.write(
            f"透明日志校验通过 the transparency log verifies: {result.entries} entries, "
            f"{result.checkpoints} signed checkpoints"
        )
