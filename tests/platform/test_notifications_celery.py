"""Notifications through the real queue (issue #21.5): a webhook and an email delivered by an ``appwarden worker``
(Celery) over Redis, the webhook's first answer a 500 so the retry goes back through the broker with its countdown;
the webhook receiver is a real HTTP server in this test and checks the signature."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from celery_worker import migrate, run_json, worker, worker_log
from test_notifications import Hook

from appwarden.platform.notifications import signing

SCRIPT = r"""
import json, sys, time
from appwarden.platform import setup
setup()
from django.db import transaction
from appwarden.platform.notifications import events, manage, services
from appwarden.platform.notifications.models import Delivery
from appwarden.platform.notifications.parties import Party
from appwarden.platform.registry.models import Company, Contact
import platform_factories as pf
company = Company.objects.create(name="队列科技", credit_code=pf.credit_code(7))
Contact.objects.create(company=company, name="王五", email="wangwu@corp.example")
user = pf.user("company", company=company)
endpoint = manage.create_endpoint(user, url=sys.argv[1])
with transaction.atomic():
    services.notify(events.PING, Party("company", company.pk), key="celery", subject="队列测试", body="b", data={})
deadline = time.time() + 90
while time.time() < deadline:
    rows = list(Delivery.objects.values("channel", "status", "attempts"))
    if rows and all(r["status"] != "pending" for r in rows):
        break
    time.sleep(0.5)
out = []
for d in Delivery.objects.order_by("channel"):
    out.append({"channel": d.channel, "status": d.status, "attempts": d.attempts,
                "codes": [a.status_code for a in d.log.all()], "recipients": d.recipients})
print(json.dumps({"secret": endpoint.secret, "deliveries": out}))
"""


@pytest.mark.service
@pytest.mark.slow
def test_webhook_retry_and_email_through_celery(redis_url, tmp_path):
    hook = Hook()
    hook.script = [(500, {}, 0.0), (200, {}, 0.0)]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "appwarden.platform.settings",
        "APPWARDEN_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/platform.sqlite3",
        "CELERY_BROKER_URL": redis_url,
        "APPWARDEN_WORKER": "celery",
        "APPWARDEN_CELERY_QUEUE": f"appwarden-test-{uuid.uuid4().hex[:8]}",
        "APPWARDEN_SECRET_KEY": "test",
        "APPWARDEN_WEBHOOK_ALLOW_PRIVATE": "1",
        "APPWARDEN_NOTIFY_BACKOFF": "1",
        "APPWARDEN_EMAIL_BACKEND": "file",
        "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")]),
    }
    migrate(env)
    try:
        with worker(env, tmp_path):
            result = run_json(env, SCRIPT, hook.url, timeout=180)
    finally:
        hook.close()
    log = worker_log(tmp_path, 2000)
    email, webhook = result["deliveries"]
    assert (email["channel"], email["status"], email["recipients"]) == (
        "email",
        "delivered",
        ["wangwu@corp.example"],
    )
    assert webhook["status"] == "delivered", (result, log)
    assert webhook["codes"] == [500, 200], (result, log)
    assert len(hook.requests) == 2
    for req in hook.requests:
        assert signing.verify(result["secret"], req["body"], req["headers"]["Appwarden-Signature"])
    outbox = list((tmp_path / "outbox").iterdir())
    assert len(outbox) == 1 and "wangwu@corp.example" in outbox[0].read_text()
