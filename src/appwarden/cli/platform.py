"""Platform commands: ``serve``, ``worker``, ``demo-data``, ``platform-user``, ``platform-sdk-vendors`` and
``submit``.

``serve`` runs the web app and the embedded DB-queue worker, a process of its own (SQLite by default, or
``DATABASE_URL``); the worker runs each scan in a child process under the scan limits (``APPWARDEN_SCAN_TIMEOUT``,
``_MEMORY_MB``), so the web keeps answering while a scan runs;
``worker`` runs a Celery worker (distributed mode, ``CELERY_BROKER_URL``); ``submit`` uploads an APK to a running
server through the REST API using only the standard library. Django is imported lazily so that the engine's
commands work without the ``platform`` extra.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import os
import secrets
import signal
import urllib.error
import urllib.request
from pathlib import Path

from appwarden.errors import AppwardenError, InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the governance platform: web + embedded worker (治理平台)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--data-dir", help="SQLite database and APK storage directory (default ./appwarden-data)")
    p.add_argument("--no-worker", action="store_true", help="do not start the embedded worker process")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="run a Celery worker for the platform, distributed mode (平台检测节点)")
    p.add_argument("--concurrency", type=int, default=1)
    p.add_argument("--beat", action="store_true", help="also run the periodic overdue check")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("demo-data", help="load demo data into the platform database (演示数据)")
    p.add_argument("--data-dir")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("platform-user", help="create or update a platform user with a role (平台用户)")
    p.add_argument("username")
    p.add_argument(
        "--role", required=True, choices=["regulator", "reviewer", "company", "store", "sdk_vendor"]
    )
    p.add_argument("--company", type=int, help="company id (role company)")
    p.add_argument("--store", type=int, help="store id (role store)")
    p.add_argument("--sdk-vendor", type=int, help="SDK vendor id (role sdk_vendor)")
    p.add_argument("--password", help="password (default: generated and printed)")
    p.add_argument(
        "--token", action="store_true", help="issue a new API token and print it (shown once; stored hashed)"
    )
    p.add_argument("--data-dir")
    p.set_defaults(func=cmd_user)

    p = sub.add_parser(
        "platform-sdk-vendors",
        help="link the SDK knowledge base's vendor names to platform SDK vendors (SDK厂商关联; idempotent)",
    )
    p.add_argument("--data-dir")
    p.set_defaults(func=cmd_sdk_vendors)

    p = sub.add_parser(
        "notify-deadlines",
        help="notify deadlines in 3 working days and overdue orders, then deliver due notifications (整改期限提醒; cron)",
    )
    p.add_argument("--date", help="pretend today is this ISO date (default: today)")
    p.add_argument("--data-dir")
    p.set_defaults(func=cmd_notify, notify_command="notify_deadlines")

    p = sub.add_parser(
        "early-warning-digest",
        help="send today's early-warning list to the regulators (每日预警清单; once a day)",
    )
    p.add_argument("--force", action="store_true", help="send again even if today's digest was sent")
    p.add_argument("--data-dir")
    p.set_defaults(func=cmd_notify, notify_command="early_warning_digest")

    p = sub.add_parser("submit", help="upload an APK to a running platform server (提交平台检测)")
    p.add_argument("apk")
    p.add_argument("--server", required=True, help="e.g. http://127.0.0.1:8000")
    p.add_argument(
        "--token", default=os.environ.get("APPWARDEN_TOKEN"), help="API token (or APPWARDEN_TOKEN)"
    )
    p.add_argument("--batch", type=int)
    p.add_argument("--policy", help="privacy policy file")
    p.add_argument("--trace", help="runtime trace file")
    p.add_argument("--category", help="39类 app category: N39-xx id or its name (default: inferred)")
    p.set_defaults(func=cmd_submit)


def _setup(data_dir: str | None, worker: str | None = None) -> None:
    if data_dir:
        os.environ["APPWARDEN_DATA_DIR"] = data_dir
    if worker:
        os.environ.setdefault("APPWARDEN_WORKER", worker)
    try:
        from appwarden.platform import setup
    except ImportError as exc:  # pragma: no cover
        raise AppwardenError(
            f"the platform needs the 'platform' extra: pip install 'appwarden[platform]' ({exc})"
        ) from None
    setup()
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        Path(settings.DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _sync_sdk_vendors(verbose: bool = False) -> None:
    """Link the SDK knowledge base's vendor names to SdkVendor rows (registry/sdk_vendors.py; idempotent)."""
    from appwarden.platform.registry.sdk_vendors import sync_from_kb

    result = sync_from_kb()
    if verbose:
        print(
            f"SDK vendors: {result.created} created, {result.linked} SDK ids linked, "
            f"{result.unnamed} KB SDKs without a named vendor"
        )


def cmd_sdk_vendors(args: argparse.Namespace) -> int:
    _setup(args.data_dir)
    _migrate()
    _sync_sdk_vendors(verbose=True)
    return 0


def cmd_notify(args: argparse.Namespace) -> int:
    """``notify-deadlines`` / ``early-warning-digest``: the notifications app's management commands (one line of
    counts; a bad ``--date`` is one line and exit 2)."""
    _setup(args.data_dir)
    _migrate()
    from django.core.management import CommandError, call_command

    options = {"date": args.date} if getattr(args, "date", None) else {}
    if getattr(args, "force", False):
        options["force"] = True
    try:
        call_command(args.notify_command, **options)
    except CommandError as exc:
        raise AppwardenError(str(exc)) from None
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _setup(args.data_dir, "thread")
    _migrate()
    _sync_sdk_vendors()
    from django.conf import settings
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application

    embedded = None
    if settings.APPWARDEN_WORKER == "thread" and not args.no_worker:
        from appwarden.platform.testing import worker

        embedded = worker.start_process()
    worker_name = settings.APPWARDEN_WORKER
    if embedded is not None:
        worker_name = f"embedded process {embedded.pid}"
    print(
        f"appwarden platform on http://{args.host}:{args.port}/ (worker: {worker_name}, "
        f"database: {settings.DATABASES['default']['NAME']}; each scan in a child process, at most "
        f"{settings.APPWARDEN_SCAN_TIMEOUT:g} s and {settings.APPWARDEN_SCAN_MEMORY_MB} MB, "
        f"{settings.APPWARDEN_SCAN_MAX_ATTEMPTS} attempts)",
        flush=True,
    )
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        run(args.host, args.port, get_wsgi_application(), threading=True)
    finally:  # a clean stop (Ctrl-C, SIGTERM): the worker gives the job being scanned back, its attempt refunded
        if embedded is not None:
            embedded.stop()
    return 0


def _exit_on_sigterm(signum: int, frame: object) -> None:
    """SIGTERM stops ``serve`` like Ctrl-C does (clean-up runs), with the conventional exit status 143."""
    raise SystemExit(128 + signum)


def cmd_worker(args: argparse.Namespace) -> int:
    _setup(None, "celery")
    from appwarden.platform.celery_app import app

    argv = ["worker", "--loglevel=INFO", f"--concurrency={args.concurrency}", "--prefetch-multiplier=1"]
    if args.beat:
        argv.append("--beat")
    app.worker_main(argv)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    _setup(args.data_dir)
    _migrate()
    from appwarden.platform.demo import load_demo_data

    _sync_sdk_vendors()
    users = load_demo_data()
    print("demo data loaded; users (password):")
    for name, pw in users.items():
        print(f"  {name}  {pw}")
    return 0


def cmd_user(args: argparse.Namespace) -> int:
    """Create or update a user through the shared account service (same binding rules as the web pages)."""
    _setup(args.data_dir)
    _migrate()
    from appwarden.platform.core import tokens
    from appwarden.platform.core.users import ensure_user

    password = args.password or secrets.token_urlsafe(12)
    user = ensure_user(
        args.username,
        role=args.role,
        company=args.company,
        store=args.store,
        sdk_vendor=args.sdk_vendor,
        password=password,
    )
    print(f"user {args.username} ({args.role})" + ("" if args.password else f" password: {password}"))
    if args.token:
        print(f"token: {tokens.issue(user, 'platform-user')}")
    return 0


def _multipart(fields: dict[str, str], files: dict[str, Path]) -> tuple[bytes, str]:
    boundary = "----appwarden" + secrets.token_hex(12)
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, path in files.items():
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{path.name}"\r\n'
            f"Content-Type: {ctype}\r\n\r\n"
        ).encode()
        parts.append(head + path.read_bytes() + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def submit(
    server: str,
    token: str,
    apk: Path,
    *,
    batch: int | None = None,
    policy: Path | None = None,
    trace: Path | None = None,
    category: str | None = None,
    timeout: float = 300,
) -> dict:
    """POST the APK to ``<server>/api/jobs/``; return the created job (raise AppwardenError with the server's
    one-line message otherwise)."""
    for path in (apk, policy, trace):
        if path is not None and not path.is_file():
            raise InputError(f"{path}: no such file")
    fields = {k: str(v) for k, v in {"batch": batch, "category": category}.items() if v}
    files = {"file": apk, **({"policy": policy} if policy else {}), **({"trace": trace} if trace else {})}
    body, ctype = _multipart(fields, files)
    req = urllib.request.Request(
        server.rstrip("/") + "/api/jobs/",
        data=body,
        method="POST",
        headers={"Content-Type": ctype, "Authorization": f"Token {token}", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        try:
            detail = json.loads(exc.read().decode("utf-8")).get("detail") or exc.reason
        except (ValueError, AttributeError):
            detail = exc.reason
        raise AppwardenError(f"server refused the upload (HTTP {exc.code}): {detail}") from None
    except urllib.error.URLError as exc:
        raise AppwardenError(f"cannot reach {server}: {exc.reason}") from None


def _category_id(value: str | None) -> str | None:
    """The 39类 id of ``--category`` (id or name), checked before uploading; InputError for an unknown one."""
    if not value:
        return None
    from appwarden.scan import category_key

    return category_key(value)


def cmd_submit(args: argparse.Namespace) -> int:
    if not args.token:
        raise InputError("--token (or APPWARDEN_TOKEN) is required")
    args.category = _category_id(args.category)
    job = submit(
        args.server,
        args.token,
        Path(args.apk),
        batch=args.batch,
        policy=Path(args.policy) if args.policy else None,
        trace=Path(args.trace) if args.trace else None,
        category=args.category,
    )
    print(f"queued job #{job['id']} sha256 {job['sha256']} status {job['status']}")
    print(f"{args.server.rstrip('/')}/testing/jobs/{job['id']}/")
    return 0


__all__ = ["register", "submit"]
