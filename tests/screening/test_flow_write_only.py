"""``flow._write_only`` (issue #19): the callees the C walk handles itself unless the receiver holds ``net`` are those
where :meth:`FlowAnalysis._check_sink` finds a sink only as a write into a network stream."""

from __future__ import annotations

import itertools
import random

from appwarden.screening import flow
from appwarden.screening.flow import FlowAnalysis, Summary

_CLASSES = (
    "Ljava/lang/StringBuilder;",
    "Ljava/io/OutputStream;",
    "Ljava/io/PrintWriter;",
    "Lcom/app/A;",
    "Landroid/content/Context;",
    *flow._CONNECTIONS,
    "Ljava/net/URL;",
    "Ljava/net/Socket;",
)
_NAMES = (
    *sorted(flow._WRITE_NAMES),
    *flow._CONNECT_NAMES,
    "startActivity",
    "execute",
    "toString",
    "<init>",
    "openStream",
)
_KEYS = sorted(
    {f"{c}->{n}" for c, n in itertools.product(_CLASSES, _NAMES)}
    | set(flow.SMS_SINKS)
    | set(flow.REQUEST_SINKS)
    | set(flow.MAIL_SINKS)
    | set(flow._URL_OPEN)
    | {"Ljavax/mail/Transport;->write", "Landroid/telephony/SmsManager;->append"}
)
_POOL = ("s0", "s1", "net", "x:send", "h:http://203.0.113.7/", "c:Lcom/app/S;")


class _Code:
    name = "classes.dex"


def _sinks(key: str, static: bool, args: list[frozenset[str]]) -> list[flow.Sink]:
    out = Summary()
    FlowAnalysis._check_sink(None, _Code(), "Lcom/app/A;->m()V", key + "()V", key, static, args, 4, out)  # type: ignore[arg-type]
    return out.sinks


def test_a_write_only_callee_sinks_only_into_a_network_stream() -> None:
    rng = random.Random(7)
    write_only = [k for k in _KEYS if flow._write_only(k)]
    assert "Ljava/lang/StringBuilder;->append" in write_only
    assert "Ljava/io/OutputStream;->write" in write_only
    assert not flow._write_only("Ljava/net/HttpURLConnection;->connect")
    assert not flow._write_only("Landroid/content/Context;->startActivity")
    assert not flow._write_only("Ljavax/mail/Transport;->send")
    seen_sink = 0
    for key in _KEYS:
        for _ in range(60):
            static = rng.random() < 0.3
            args = [frozenset(rng.sample(_POOL, rng.randrange(0, 4))) for _ in range(rng.randrange(0, 5))]
            got = _sinks(key, static, args)
            if flow._write_only(key):
                into_net = not static and bool(args) and "net" in args[0]
                assert into_net or not got, (key, static, args)
                seen_sink += bool(got)
    assert seen_sink  # the write branch does find sinks into a network stream


def test_key_flags_mark_write_only_callees_plain_and_may_sink() -> None:
    for key in _KEYS:
        flags, plain, _source, bare = flow._key_flags(key)
        may_sink = bool(flags & flow._F_MAYSINK)
        name = key.split("->", 1)[1]
        if flow._write_only(key):
            assert may_sink and plain == (name not in flow._HOP_NAMES)
        elif may_sink:
            assert not plain
        # an app callee's F_PLAIN: no sink and no hop at all (the write-only ones included)
        assert bare == (not may_sink and name not in flow._HOP_NAMES)
