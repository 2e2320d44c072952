"""The Celery application for distributed scans.

Configured from the environment: ``APPWARDEN_BROKER_URL`` (or ``CELERY_BROKER_URL``; RabbitMQ ``amqp://`` or Redis
``redis://``). Reliability settings: tasks are acknowledged *after* they finish (``task_acks_late``) and a task
whose worker died is re-queued (``task_reject_on_worker_lost``); each worker process prefetches one task, so a
killed worker strands at most one task per process, which the broker redelivers. With Redis the redelivery waits
for ``visibility_timeout`` (set by ``APPWARDEN_VISIBILITY_TIMEOUT``, default 3600 s): prefer RabbitMQ when
fast recovery matters. No result backend: results go to the content store.
"""

from __future__ import annotations

import os

from celery import Celery


def make_app(broker_url: str | None = None) -> Celery:
    """A configured Celery app (one per process)."""
    broker = (
        broker_url
        or os.environ.get("APPWARDEN_BROKER_URL")
        or os.environ.get("CELERY_BROKER_URL")
        or "amqp://guest:guest@127.0.0.1:5672//"
    )
    app = Celery("appwarden", broker=broker, include=["appwarden.distributed.tasks"])
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": int(os.environ.get("APPWARDEN_VISIBILITY_TIMEOUT", "3600"))
        },
        worker_hijack_root_logger=False,
        task_default_queue=os.environ.get("APPWARDEN_QUEUE", "appwarden.scan"),
    )
    return app


app = make_app()
