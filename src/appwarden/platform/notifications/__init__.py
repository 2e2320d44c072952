"""Notifications (issue #21.5): email and signed webhooks to the party that has to act (company, store, SDK
vendor, staff), hooked to the other apps through Django signals, delivered with retries by the platform's worker.

* ``events.py`` — the event catalogue (name, Chinese label, which party).
* ``models.py`` — per-party ``Endpoint`` (webhook URL + secret) and ``EmailRecipient``; ``Notification`` (one per
  event, object and party, deduplicated), ``Delivery`` (one per channel/endpoint, retried) and ``DeliveryAttempt``
  (the log with HTTP status codes).
* ``signing.py`` — the ``Appwarden-Signature`` header (HMAC-SHA256 over ``<timestamp>.<body>``) and ``verify``.
* ``webhook.py`` — the HTTP POST: SSRF guard, pinned address, timeouts, no redirect to another host.
* ``services.py`` — ``notify``, ``deliver``/``deliver_due``, ``notify_deadlines``, ``send_digest``.
* ``receivers.py`` — the signal receivers (orders, takedowns, pre-listing verdicts, complaint forwards, SDK orders).
"""
