"""Data flow from private-data sources to exfiltration sinks in the app's own code (bounded, linear).

Contract: :func:`find_leaks(ctx)` returns the :class:`Leak` s of one app (cached on the
:class:`~appwarden.screening.content.ScreenContext`): a value read from a private-data **source** reaching a
**sink** that sends it out of the device, within the app's own code (no known SDK, no platform library).

Sources (the value an invoke returns, or a callback parameter):

* ``ContentResolver.query`` / ``ContentProviderClient.query`` whose URI the static stage resolved to contacts, the
  call log or SMS (``contacts``, ``call_log``, ``sms``); an unresolved query counts when the calling class loads
  such a URI itself;
* incoming SMS (``sms_in``): ``SmsMessage.createFromPdu``, ``Telephony.Sms.Intents.getMessagesFromIntent``,
  ``SmsMessage.getMessageBody`` / ``getDisplayMessageBody`` / ``getOriginatingAddress`` ...;
* device identifiers of ``TelephonyManager`` (``imei``, ``imsi``, ``iccid``, ``phone_number``);
* location (``location``): ``LocationManager.getLastKnownLocation``, ``Location.getLatitude/getLongitude`` and
  the ``Location`` parameter of an app ``onLocationChanged``.

Sinks (``kind``): ``sms`` (``SmsManager.sendTextMessage`` / ``sendMultipartTextMessage`` / ``sendDataMessage``
with the data in the text, not only the number), ``network`` (a write to the output stream of an
``URLConnection`` or a ``Socket`` and its wrappers; an ``URLConnection`` opened on a URL holding the data;
Apache ``HttpClient.execute`` / OkHttp ``newCall`` of a request holding it; ``DatagramSocket.send``; a
``WebView`` loading or posting to a URL holding it), ``mail``
(JavaMail ``Transport.send``) and ``mail_intent`` (``startActivity`` of an ``ACTION_SEND``/``SENDTO``/``mailto:``
intent holding the data: the user sees a chooser).

Analysis: each method is decoded once, linearly in file order (as :mod:`appwarden.dex.regs`: where branches join,
the writer last in file order wins), tracking a set of *labels* per register: the sources it derives from, the
hard-coded endpoints (``const-string`` phone numbers, server
addresses, e-mail addresses; values read from app fields), ``net`` for a network stream, the classes an Intent
names. Propagation: moves, array and arithmetic ops, the result of a framework call is derived from its receiver
and arguments, and a framework call that takes a labelled argument labels its receiver when that is a container,
builder, stream, request or Intent (``StringBuilder.append``, ``List.add``, ``JSONObject.put``,
``HttpPost.setEntity`` ...; never a Context, never ``this``). The walk starts in the methods that read a source
(*roots*) and follows the data only: a call into an app method is walked only when an argument carries private
data (with those arguments' labels, memoised per method and argument labels, up to :data:`MAX_DEPTH` calls deep),
so its cost grows with the flows, not with the app. Hops between methods: (1) callees that receive the data;
(2) callers of an app method whose return value carries private data (up to :data:`MAX_UP` levels); (3) app fields:
a field written with private data is a source wherever it is read (static fields: every ``sget``; instance fields:
methods of the same top-level class); (4) an explicit Intent holding the data started or broadcast to an app
component (its ``onStartCommand`` / ``onHandleIntent`` / ``onReceive`` / ``onStart``), and ``AsyncTask.execute``
arguments into ``doInBackground``.

Implementation: each method's code is decoded once per analysis into a program (:meth:`FlowAnalysis._program`),
and the walks run over it, in the C kernel :mod:`appwarden.screening._flow` when it is built (names resolved once
per DEX in Python, invokes that may make a sink or a hop handed back to Python), else in Python; both give the
summaries, counters and leaks of the former walk over raw code units (``tests/screening/test_flow_walk_twin.py``
keeps that walk as the oracle).

Bounds: at most :data:`MAX_METHODS` method analyses and :data:`MAX_UNITS` code units walked per app (then the
analysis stops and ``notes`` says so), methods over :data:`MAX_INSNS` code units are skipped, label sets are capped,
the stage deadline is checked per method. Malformed code stops that method's walk; never
raises (but a stage timeout propagates). Not modelled: flows through files, preferences, databases, reflection,
native code, Handler messages and values merged on branches other than the last writer.
"""

from __future__ import annotations

import itertools
import re
import struct
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

from appwarden.dex import backend, walker
from appwarden.dex.index import ACC_STATIC
from appwarden.dex.records import METHOD_WORDS, OP_INVOKE_STATIC, WIDTH, invoke_registers_at
from appwarden.dex.regs import _payload_width
from appwarden.errors import StageTimeout
from appwarden.limits import check_deadline

MAX_DEPTH = 2  # app callees followed through summaries (callee, callee's callee)
MAX_UP = 2  # levels of callers followed from a method returning private data
MAX_METHODS = 1000  # method analyses per app (the labelled malware needs at most ~330)
MAX_INSNS = 1 << 15  # code units; a longer method is not analysed
MAX_UNITS = 300_000  # code units walked per app (all analyses together)
MAX_LABELS = 24  # labels kept per register
MAX_JOINS = 512  # forward-branch targets remembered per method (register states merged where branches join)
MAX_CLASS_METHODS = 300  # methods of one top-level class scanned for instance-field readers

Labels = frozenset
EMPTY: Labels = frozenset()
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_S16 = struct.Struct("<h")
_S32 = struct.Struct("<i")

SINK_KINDS = ("sms", "network", "mail", "mail_intent")
PRIVATE = ("contacts", "call_log", "sms", "sms_in", "imei", "imsi", "iccid", "phone_number", "location")

SOURCE_APIS = {
    "Landroid/telephony/TelephonyManager;->getDeviceId": "imei",
    "Landroid/telephony/TelephonyManager;->getImei": "imei",
    "Landroid/telephony/TelephonyManager;->getMeid": "imei",
    "Landroid/telephony/TelephonyManager;->getSubscriberId": "imsi",
    "Landroid/telephony/TelephonyManager;->getSimSerialNumber": "iccid",
    "Landroid/telephony/TelephonyManager;->getLine1Number": "phone_number",
    "Landroid/location/LocationManager;->getLastKnownLocation": "location",
    "Landroid/location/Location;->getLatitude": "location",
    "Landroid/location/Location;->getLongitude": "location",
    "Landroid/telephony/SmsMessage;->createFromPdu": "sms_in",
    "Landroid/telephony/gsm/SmsMessage;->createFromPdu": "sms_in",
    "Landroid/provider/Telephony$Sms$Intents;->getMessagesFromIntent": "sms_in",
    "Landroid/telephony/SmsMessage;->getMessageBody": "sms_in",
    "Landroid/telephony/SmsMessage;->getDisplayMessageBody": "sms_in",
    "Landroid/telephony/SmsMessage;->getOriginatingAddress": "sms_in",
    "Landroid/telephony/SmsMessage;->getDisplayOriginatingAddress": "sms_in",
    "Landroid/telephony/gsm/SmsMessage;->getMessageBody": "sms_in",
    "Landroid/telephony/gsm/SmsMessage;->getDisplayMessageBody": "sms_in",
    "Landroid/telephony/gsm/SmsMessage;->getOriginatingAddress": "sms_in",
}
QUERY_APIS = ("Landroid/content/ContentResolver;->query", "Landroid/content/ContentProviderClient;->query")
QUERY_CATEGORIES = ("contacts", "call_log", "sms")

SMS_SINKS = {  # Lcls;->name -> register-list positions holding the message data (0 is the SmsManager)
    "Landroid/telephony/SmsManager;->sendTextMessage": (3,),
    "Landroid/telephony/SmsManager;->sendMultipartTextMessage": (3,),
    "Landroid/telephony/SmsManager;->sendDataMessage": (4,),
    "Landroid/telephony/gsm/SmsManager;->sendTextMessage": (3,),
    "Landroid/telephony/gsm/SmsManager;->sendMultipartTextMessage": (3,),
    "Landroid/telephony/gsm/SmsManager;->sendDataMessage": (4,),
}
REQUEST_SINKS = (  # every argument is the request (or its parts)
    "Lorg/apache/http/client/HttpClient;->execute",
    "Lorg/apache/http/impl/client/DefaultHttpClient;->execute",
    "Lorg/apache/http/impl/client/AbstractHttpClient;->execute",
    "Lorg/apache/http/impl/client/CloseableHttpClient;->execute",
    "Landroid/net/http/AndroidHttpClient;->execute",
    "Lokhttp3/OkHttpClient;->newCall",
    "Lcom/squareup/okhttp/OkHttpClient;->newCall",
    "Ljava/net/DatagramSocket;->send",
    "Landroid/webkit/WebView;->loadUrl",
    "Landroid/webkit/WebView;->postUrl",
)
MAIL_SINKS = ("Ljavax/mail/Transport;->send", "Ljavax/mail/Transport;->sendMessage")
_CONNECTIONS = (
    "Ljava/net/URLConnection;",
    "Ljava/net/HttpURLConnection;",
    "Ljavax/net/ssl/HttpsURLConnection;",
)
_CONNECT_NAMES = ("connect", "getInputStream", "getResponseCode", "getOutputStream", "getResponseMessage")
_NET_STREAMS = {f"{c}->getOutputStream" for c in _CONNECTIONS} | {"Ljava/net/Socket;->getOutputStream"}
_URL_OPEN = ("Ljava/net/URL;->openStream", "Ljava/net/URL;->getContent")
_WRITE_NAMES = frozenset(
    {
        "write",
        "writeBytes",
        "writeChars",
        "writeUTF",
        "writeObject",
        "print",
        "println",
        "printf",
        "format",
        "append",
    }
)
_START = frozenset(
    {"startActivity", "startService", "sendBroadcast", "startForegroundService", "sendOrderedBroadcast"}
)
_HOP_NAMES = _START | {"execute", "executeOnExecutor"}  # callees through which private data may hop
_ICC_ENTRIES = (
    "onStartCommand(Landroid/content/Intent;II)I",
    "onHandleIntent(Landroid/content/Intent;)V",
    "onReceive(Landroid/content/Context;Landroid/content/Intent;)V",
    "onStart(Landroid/content/Intent;I)V",
)
# framework classes whose receiver takes the labels of the arguments written into it (containers, builders,
# streams, requests, messages); a Context, a manager or a Handler never does
_CARRIERS = (
    "Ljava/lang/StringBuilder;",
    "Ljava/lang/StringBuffer;",
    "Ljava/util/",
    "Lorg/json/",
    "Ljava/io/",
    "Lorg/apache/http/",
    "Lokhttp3/",
    "Lcom/squareup/okhttp/",
    "Ljavax/mail/",
    "Landroid/content/ContentValues;",
    "Landroid/content/Intent;",
    "Landroid/os/Bundle;",
    "Landroid/os/BaseBundle;",
    "Landroid/net/Uri$Builder;",
    "Ljava/net/",
)

# The method names some fact table above holds: an invoke of a framework callee named otherwise is F_PLAIN (with
# F_CARRIER | F_INIT for a constructor, F_CARRIER under a carrier prefix), no source and no hop, whatever its class
# (see _key_flags; tests/screening/test_flow_name_tables.py checks it), so the C decode resolves it from the DEX's id
# tables without a callback (_table_const is its twin).
_SPECIAL_NAMES: frozenset[str] = (
    frozenset(
        k.split("->", 1)[1]
        for k in (
            *SOURCE_APIS,
            *QUERY_APIS,
            *SMS_SINKS,
            *REQUEST_SINKS,
            *MAIL_SINKS,
            *_URL_OPEN,
            *_NET_STREAMS,
        )
    )
    | frozenset(_CONNECT_NAMES)
    | _WRITE_NAMES
    | _HOP_NAMES
    | {"startActivity"}
)
_CARRIER_BYTES = tuple(c.encode() for c in _CARRIERS)

_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{2,19}$")
_HOST = re.compile(r"^(?:https?|tcp|ws|ftp)://[^/\s]+|^(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?$", re.IGNORECASE)
_MAIL = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")
_SEND_ACTIONS = (
    "android.intent.action.SEND",
    "android.intent.action.SENDTO",
    "android.intent.action.SEND_MULTIPLE",
)

# opcode tables (Dalvik bytecode)
_MOVE_12X = {0x01, 0x04, 0x07}
_MOVE_22X = {0x02, 0x05, 0x08}
_MOVE_32X = {0x03, 0x06, 0x09}
_MOVE_RESULT = {0x0A, 0x0B, 0x0C}
_RETURN = {0x0F, 0x10, 0x11}
_CONST_4_TO_WIDE = set(range(0x12, 0x1A))
_UNOP = set(range(0x7B, 0x90))
_BINOP_2ADDR = set(range(0xB0, 0xD0))
_BINOP_LIT16 = set(range(0xD0, 0xD8))
_BINOP_LIT8 = set(range(0xD8, 0xE3))
_BINOP = set(range(0x90, 0xB0))
_CMP = set(range(0x2D, 0x32))
_AGET = set(range(0x44, 0x4B))
_APUT = set(range(0x4B, 0x52))
_IGET = set(range(0x52, 0x59))
_IPUT = set(range(0x59, 0x60))
_SGET = set(range(0x60, 0x67))
_SPUT = set(range(0x67, 0x6E))
_INVOKES = set(range(0x6E, 0x73)) | set(range(0x74, 0x79))

# opcode -> what the walk does with it (one list index per instruction instead of a chain of set tests; the kinds
# are disjoint and tested in the order the sets above were: move-object before the plain moves)
(
    _K_OTHER,
    _K_BRANCH,
    _K_MOVE_OBJECT,
    _K_MOVE_12X,
    _K_MOVE_22X,
    _K_MOVE_32X,
    _K_MOVE_RESULT,
    _K_RETURN,
    _K_CLEAR,
    _K_CONST_STRING,
    _K_CONST_CLASS,
    _K_CLEAR_A,
    _K_UNOP,
    _K_BINOP_2ADDR,
    _K_BINOP_LIT16,
    _K_BINOP_LIT8,
    _K_BINOP,
    _K_CMP,
    _K_AGET,
    _K_APUT,
    _K_GET,
    _K_PUT,
    _K_FILLED,
    _K_INVOKE,
) = range(24)


def _kinds() -> list[int]:
    kinds = [_K_OTHER] * 256
    ordered = (  # later entries never overwrite earlier ones: the first test that matched wins, as in the chain
        (set(range(0x28, 0x2B)) | set(range(0x32, 0x3E)), _K_BRANCH),
        ({0x07, 0x08, 0x09}, _K_MOVE_OBJECT),
        (_MOVE_12X, _K_MOVE_12X),
        (_MOVE_22X, _K_MOVE_22X),
        (_MOVE_32X, _K_MOVE_32X),
        (_MOVE_RESULT, _K_MOVE_RESULT),
        (_RETURN, _K_RETURN),
        ({0x0D, 0x22} | _CONST_4_TO_WIDE, _K_CLEAR),
        ({0x1A, 0x1B}, _K_CONST_STRING),
        ({0x1C}, _K_CONST_CLASS),
        ({0x20, 0x21, 0x23}, _K_CLEAR_A),
        (_UNOP, _K_UNOP),
        (_BINOP_2ADDR, _K_BINOP_2ADDR),
        (_BINOP_LIT16, _K_BINOP_LIT16),
        (_BINOP_LIT8, _K_BINOP_LIT8),
        (_BINOP, _K_BINOP),
        (_CMP, _K_CMP),
        (_AGET, _K_AGET),
        (_APUT, _K_APUT),
        (_IGET | _SGET, _K_GET),
        (_IPUT | _SPUT, _K_PUT),
        ({0x24, 0x25}, _K_FILLED),
        (_INVOKES, _K_INVOKE),
    )
    for ops, kind in ordered:
        for op in ops:
            if kinds[op] == _K_OTHER:
                kinds[op] = kind
    return kinds


_KIND = _kinds()

# what one entry of a method's decoded program (FlowAnalysis._program) does in the walk: (_P_*, pc, operands ...)
(
    _P_INVOKE,  # op, byte offset, argument registers, callee info, source category, network stream, move-result dest
    _P_SET,  # register, labels (const*, new-instance, move-exception, instance-of, cmp ...)
    _P_BRANCH,  # target, forward?
    _P_GET,  # destination, field descriptor (None: unresolved), the field's own label, object register or -1
    _P_COPY,  # destination, source (moves, unary ops, lit ops, aget)
    _P_MOVE_RESULT,  # destination, whether the instruction before produced a result (invoke, filled-new-array)
    _P_PUT,  # source, field descriptor (None: unresolved), object register that carries it or -1
    _P_UNION,  # destination, first, second (binary ops)
    _P_MOVE_OBJECT,  # destination, source
    _P_RETURN,  # register
    _P_APUT,  # source, array register
    _P_FILLED,  # registers
    _P_NOP,  # a branch target that writes no register we track
) = range(13)
_NET: Labels = frozenset({"net"})
_MISSING = object()
_KIND_BYTES = bytes(_KIND)
# invoke flags of a decoded program for the C walk (see _program_c)
_F_SOURCE, _F_NET, _F_APP, _F_APPX, _F_CARRIER, _F_INIT, _F_PLAIN, _F_MAYSINK = 1, 2, 4, 8, 16, 32, 64, 128


def _load_kernel() -> Any:
    """The C walk (``appwarden.screening._flow``), or None: extension not built, or the Python backend forced
    (``APPWARDEN_DEX_BACKEND=python``); then the walk runs in Python (its twin: the same analyses)."""
    if backend() == "python":
        return None
    try:
        from appwarden.screening import _flow
    except ImportError:
        return None
    return _flow


_KERNEL: Any = _load_kernel()


@dataclass(slots=True)
class Sink:
    """A sink reached by private data: its data and endpoint labels, where, and the call chain that led there."""

    kind: str
    data: Labels
    endpoint: Labels
    caller: str
    api: str
    dex: str
    offset: int
    chain: tuple[str, ...] = ()


@dataclass(slots=True)
class Summary:
    """What one walk of a method with given parameter labels found: its return labels, sinks and field stores."""

    returns: Labels = EMPTY
    sinks: list[Sink] = field(default_factory=list)
    stores: dict[str, Labels] = field(default_factory=dict)  # field descriptor -> labels written
    starts: list[tuple[str, Labels, str]] = field(
        default_factory=list
    )  # (target class, labels, how) ICC hops


@dataclass(slots=True)
class Leak:
    """Private data (``category``, read at ``source``) reaching a sink (see the module docstring)."""

    category: str
    source: dict[str, Any]
    sink: Sink
    endpoint: list[str]  # hard-coded endpoints seen reaching the sink (numbers, hosts, mail addresses)
    endpoint_fields: list[str]  # app fields the endpoint was read from

    def item(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "category": self.category,
            "source": self.source["api"],
            "source_caller": self.source["caller"],
            "sink": self.sink.kind,
            "caller": self.sink.caller,
            "api": self.sink.api,
            "dex": self.sink.dex,
            "offset": self.sink.offset,
        }
        if self.sink.chain:
            out["via"] = list(self.sink.chain)[:4]
        if self.endpoint:
            out["endpoint"] = self.endpoint[:3]
        elif self.endpoint_fields:
            out["endpoint_fields"] = self.endpoint_fields[:3]
        return out


def _cap(labels: set[str] | Labels) -> Labels:
    if len(labels) <= MAX_LABELS:
        return frozenset(labels)
    keep = sorted(labels, key=lambda x: (not x.startswith("s"), x))[:MAX_LABELS]  # private data first
    return frozenset(keep)


def _key(desc: str) -> str:
    return desc.split("(", 1)[0]


def _callee_facts(key: str) -> tuple[bool, str, str, bool, bool]:
    """What :meth:`FlowAnalysis._invoke` asks of a callee ``Lcls;->name``, once per callee: (whether
    :meth:`FlowAnalysis._check_sink` can find a sink there, name, class, whether its receiver takes the labels of
    the arguments written into it (a constructor or a carrier class), whether it returns a network stream)."""
    name = key.split("->", 1)[1] if "->" in key else ""
    cls = key.split("->", 1)[0]
    may_sink = (
        key in SMS_SINKS
        or key in REQUEST_SINKS
        or key in MAIL_SINKS
        or (cls in _CONNECTIONS and name in _CONNECT_NAMES)
        or key in _URL_OPEN
        or name in _WRITE_NAMES
        or name == "startActivity"
    )
    return may_sink, name, cls, name == "<init>" or cls.startswith(_CARRIERS), key in _NET_STREAMS


def _write_only(key: str) -> bool:
    """Whether :meth:`FlowAnalysis._check_sink` can find a sink at callee ``Lcls;->name`` only as a write into a
    network stream (``StringBuilder.append``, ``PrintWriter.print`` ...: a sink only when the receiver holds ``net``
    and the invoke is not static), no other branch of it."""
    name = key.split("->", 1)[1] if "->" in key else ""
    cls = key.split("->", 1)[0]
    return name in _WRITE_NAMES and not (
        key in SMS_SINKS
        or key in REQUEST_SINKS
        or key in MAIL_SINKS
        or (cls in _CONNECTIONS and name in _CONNECT_NAMES)
        or key in _URL_OPEN
        or name == "startActivity"
    )


def _key_flags(key: str) -> tuple[int, bool, str | None, bool]:
    """The C program's invoke flags that a callee's ``Lcls;->name`` key decides (network stream, carrier,
    constructor, a sink :meth:`FlowAnalysis._check_sink` may find there), whether private data going in makes no
    sink and no hop there unless the callee is the app's (``F_PLAIN``; with ``F_MAYSINK`` too: unless the callee is
    the app's or the invoke writes into a network stream, see :func:`_write_only`: the kernel tests the receiver),
    the source category (``?`` for a query, None) as :meth:`FlowAnalysis._callee` gives it, and whether no sink
    and no hop can be there at all (an app callee's ``F_PLAIN``: what :meth:`FlowAnalysis._invoke` does when its
    walk gives no summary is derived from receiver and arguments, which the kernel does past :data:`MAX_DEPTH`)."""
    may_sink, name, _cls, carrier, net_stream = _callee_facts(key)
    flags = (
        (_F_NET if net_stream else 0)
        | (_F_CARRIER if carrier else 0)
        | (_F_INIT if name == "<init>" else 0)
        | (_F_MAYSINK if may_sink else 0)
    )
    source = SOURCE_APIS.get(key) or ("?" if key in QUERY_APIS else None)
    if name in _HOP_NAMES:
        return flags, False, source, False
    return flags, not may_sink or _write_only(key), source, not may_sink


def _const_labels(value: str) -> Labels:
    v = value.strip()
    if _HOST.match(v):
        return frozenset({"h:" + v[:120]})
    if _PHONE.match(v):
        return frozenset({"n:" + v})
    if _MAIL.match(v):
        return frozenset({"m:" + v})
    if v in _SEND_ACTIONS or v.startswith("mailto:"):
        return frozenset({"x:send"})
    return EMPTY


def _field_namer(code: Any) -> Any:
    """``code``'s DEX's ``field_desc`` (a field id's ``Lcls;->name:Type``, or the reader's exception): the C kernel
    builds the name from the id tables (no per-part string, no f-string); the reader decodes those it leaves (a
    string that is not pure ASCII) and gives its own errors (tables the kernel refuses)."""
    dex = code.dex
    reader = dex.field_desc
    kernel = getattr(walker, "field_desc", None)
    if kernel is None or backend() == "python":
        return reader
    try:
        ids, f_off, f_size = code.id_args, dex.field_ids_off, dex.field_ids_size
    except AttributeError:  # no id tables to hand (a stand-in code object): the reader alone
        return reader

    def field_desc(fidx: int) -> str:
        try:
            got = kernel(ids, f_off, f_size, fidx)
        except ValueError:
            got = None
        return got if got is not None else reader(fidx)

    return field_desc


def _id_string(buf: Any, s_off: int, s_size: int, sidx: int) -> bytes | None:
    """The bytes of string ``sidx`` of a DEX's id tables (``_dexdesc.h``'s ``string_ref``: up to the NUL after the
    uleb128 length), None when anything is out of bounds or the string is not pure ASCII."""
    if not 0 <= sidx < s_size:
        return None
    pos = int.from_bytes(buf[s_off + sidx * 4 : s_off + sidx * 4 + 4], "little")
    size = len(buf)
    for _ in range(5):  # the uleb128 length
        if pos >= size:
            return None
        pos += 1
        if not buf[pos - 1] & 0x80:
            break
    else:
        return None
    end = bytes(buf[pos:]).find(b"\0") if pos <= size else -1
    if end < 0:
        return None
    got = bytes(buf[pos : pos + end])
    return got if got.isascii() else None


def _id_type(ids: tuple, tidx: int) -> bytes | None:
    buf, s_off, s_size, t_off, t_size = ids[:5]
    if not 0 <= tidx < t_size:
        return None
    return _id_string(
        buf, s_off, s_size, int.from_bytes(buf[t_off + tidx * 4 : t_off + tidx * 4 + 4], "little")
    )


def _table_const(ids: tuple, classes: Any, kind: int, sub: int, idx: int) -> int | None:
    """The twin of the C decode's names resolved from the id tables (``_flow.c``, ``name_tables``): the flags of an
    invoke (``kind`` _P_INVOKE, method id ``idx``) of a framework callee with no special name, ``0`` for a
    const-string (``kind`` _P_SET, ``sub`` 1, string id ``idx``) no label test can match, None for a name left to
    :meth:`FlowAnalysis._resolver`'s callback. ``ids``: ``id_table_args(dex, methods=True)``; ``classes``: the app's
    class descriptors."""
    buf, s_off, s_size, t_off, t_size, p_off, p_size, m_off, m_size = ids
    size = len(buf)
    if (
        s_off + s_size * 4 > size
        or t_off + t_size * 4 > size
        or p_off + p_size * 12 > size
        or m_off + m_size * 8 > size
    ):
        return None  # descs_tables_ok
    if kind == _P_SET and sub == 1:
        got = _id_string(buf, s_off, s_size, idx & 0xFFFFFFFF)
        if got is None or b"@" in got or b":" in got or b"SEND" in got:
            return None
        v = got.lstrip(b" \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f")
        return None if v[:1].isdigit() or v[:1] == b"+" else 0
    if kind != _P_INVOKE or not 0 <= idx < m_size:
        return None
    mid = m_off + idx * 8
    cls_idx = int.from_bytes(buf[mid : mid + 2], "little")
    proto_idx = int.from_bytes(buf[mid + 2 : mid + 4], "little")
    name_idx = int.from_bytes(buf[mid + 4 : mid + 8], "little")
    cls, name = _id_type(ids, cls_idx), _id_string(buf, s_off, s_size, name_idx)
    if cls is None or name is None or b"(" in cls + name or b">" in cls or cls.decode() in classes:
        return None
    if name != b"<init>" and name.decode() in _SPECIAL_NAMES:
        return None
    # the descriptor must build, all of it ASCII (desc_build)
    if proto_idx >= p_size:
        return None
    proto = p_off + proto_idx * 12
    if _id_type(ids, int.from_bytes(buf[proto + 4 : proto + 8], "little")) is None:
        return None
    params_off = int.from_bytes(buf[proto + 8 : proto + 12], "little")
    if params_off:
        if params_off & 3 or params_off + 4 > size:
            return None
        n = int.from_bytes(buf[params_off : params_off + 4], "little")
        if params_off + 4 + n * 2 > size:
            return None
        for k in range(n):
            at = params_off + 4 + k * 2
            if _id_type(ids, int.from_bytes(buf[at : at + 2], "little")) is None:
                return None
    if name == b"<init>":
        return _F_PLAIN | _F_CARRIER | _F_INIT
    return _F_PLAIN | (_F_CARRIER if cls.startswith(_CARRIER_BYTES) else 0)


def intent_starts(intent: Labels) -> list[tuple[str, Labels, str]]:
    """The app components an Intent carrying private data starts: one ``(component, private labels, "intent")`` per
    ``c:`` label, in the order of the component names (a label set's own iteration order follows the process's hash
    seed, and the order of the starts decides which walks run first, so it must not); none without private data."""
    private = frozenset(x for x in intent if x[0] == "s")
    if not private:
        return []
    return [(lab[2:], private, "intent") for lab in sorted(intent) if lab.startswith("c:")]


class FlowAnalysis:
    """One app's analysis (see the module docstring); :meth:`leaks` runs it once."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.code = ctx.code
        self.sites: list[dict[str, Any]] = []  # source sites; label "s<i>" names sites[i]
        self._site_ids: dict[tuple[str, int], int] = {}
        self._query_cats: dict[tuple[str, int], str] = {}
        self._query_classes: dict[str, str] = {}
        self._summaries: dict[tuple[str, tuple[Labels, ...]], Summary | None] = {}
        self._busy: set[tuple[str, tuple[Labels, ...]]] = set()
        self.private_returns: set[str] = set()  # app methods whose return value carries private data
        self._callees: dict[
            tuple[str, int], tuple[str, str, str | None, bool]
        ] = {}  # (dex, method id) -> info
        self.analyses = 0
        self.field_labels: dict[str, Labels] = {}  # app fields holding private data
        self.truncated = False
        self.units = 0  # code units walked so far (MAX_UNITS)
        self._app_fields: dict[str, bool] = {}  # field descriptor -> whether an app class declares it
        # method -> (code, code_off, insns_size, ins, first in-register, this, program) or None: see _header
        self._programs: dict[str, tuple[Any, ...] | None] = {}
        self.kernel: Any = _KERNEL  # the C walk, or None for the Python one
        self._facts: dict[str, tuple[bool, str, str, bool, bool]] = {}  # callee key -> _callee_facts
        self._key_flags: dict[str, tuple[int, bool, str | None, bool]] = {}  # callee key -> _key_flags
        self._put_names: dict[str, dict[int, Any]] = {}  # dex -> field id -> descriptor or None (put_cb)
        self._app_classes: dict[
            str, bool
        ] = {}  # class -> whether the app defines it and owns it (_app_class)
        self._consts: list[Any] = []  # the names and constant labels the C programs index (see _program_c)
        self._const_ids: dict[str, dict[int, int]] = {}  # dex -> name key -> packed constant (_resolver)
        # (kind, descriptor or string) -> packed constant of _resolver, shared by every DEX naming it (the tables
        # differ per DEX, the names repeat: StringBuilder.append, Log.d ... in each classesN.dex)
        self._named: dict[tuple[str, str | None], int] = {}
        self._resolvers: dict[str, tuple[dict[int, int], Any, list[str]]] = {}  # dex -> _resolver
        self._field_namers: dict[str, Any] = {}  # dex -> _field_namer
        # dex -> the C decode's id tables and caches (_name_tables); the indexes of the constants shared by the
        # plain framework callees and by the label-less strings the decode resolves from them
        self._tables: dict[str, tuple | None] = {}
        self._shared: tuple[int, int] | None = None

    # -- sources ---------------------------------------------------------------------------------------------

    def _site_label(self, category: str, api: str, caller: str, dex: str, offset: int) -> str:
        key = (dex, offset)
        i = self._site_ids.get(key)
        if i is None:
            i = len(self.sites)
            self._site_ids[key] = i
            self.sites.append(
                {"category": category, "api": api, "caller": caller, "dex": dex, "offset": offset}
            )
        return f"s{i}"

    def _prepare_queries(self) -> None:
        for site in self.ctx.static.callsites:
            if site.category not in QUERY_CATEGORIES:
                continue
            if site.kind == "invoke" and _key(site.api) in QUERY_APIS:
                if not site.unresolved:
                    self._query_cats.setdefault((site.dex, site.offset), site.category)
            elif site.kind in ("field", "string", "content_uri"):
                self._query_classes.setdefault(site.caller.split("->", 1)[0], site.category)

    # -- method access ---------------------------------------------------------------------------------------

    def _record(self, desc: str) -> tuple[Any, int] | None:
        try:
            found = self.code.method_records(desc)
        except Exception:  # malformed tables: no analysis of this method
            return None
        for ci, r in found:
            code = self.code.codes[ci]
            if code.methods[r * METHOD_WORDS + 3]:
                return code, r
        return None

    def _app_class(self, cls: str) -> bool:
        """Whether the app defines class ``cls`` and owns it (no SDK, no platform library), once per class."""
        known = self._app_classes.get(cls)
        if known is None:
            known = self._app_classes[cls] = cls in self.code.classes and self.ctx.is_app_code(cls)
        return known

    def _is_app_method(self, desc: str) -> bool:
        return self._app_class(desc.split("->", 1)[0])

    def call(self, desc: str, params: tuple[Labels, ...], depth: int) -> Summary | None:
        """The walk of ``desc`` with ``params`` (labels per parameter register), memoised; None past the bounds."""
        key = (desc, params)
        if key in self._summaries:
            return self._summaries[key]
        if key in self._busy or depth > MAX_DEPTH:
            return None
        self._busy.add(key)
        try:
            result = self.analyse(desc, list(params), depth)
        finally:
            self._busy.discard(key)
        self._summaries[key] = result
        return result

    # -- the walk --------------------------------------------------------------------------------------------

    def analyse(self, desc: str, params: list[Labels], depth: int) -> Summary | None:
        """Walk one method; ``params``: labels of its parameter registers (``this`` first), empty for a root.

        The walk runs over the method's :meth:`_program` (decoded once per method, whatever the number of walks):
        the same register states, joins, calls and counters as a walk over the raw code units in file order."""
        if self.analyses >= MAX_METHODS or self.units >= MAX_UNITS:
            self.truncated = True
            return None
        compiled = self._programs.get(desc, _MISSING)
        if compiled is _MISSING:
            found = self._record(desc)
            compiled = self._programs[desc] = None if found is None else self._header(found)
        if compiled is None:
            return None
        self.analyses += 1
        check_deadline()
        code, code_off, insns_size, nins, first, this = compiled[:6]
        if compiled[6] is None:  # rejected by its header (too long, out of the file, bad counts)
            return None
        self.units += insns_size
        initial: dict[int, Labels] = {}
        for k in range(min(nins, len(params))):
            if params[k]:
                initial[first + k] = params[k]
        if not params and desc.endswith("onLocationChanged(Landroid/location/Location;)V") and nins >= 2:
            lab = self._site_label("location", desc, desc, code.name, code_off)
            initial[first + 1] = frozenset({lab})
        if self.kernel is not None:
            return self._walk_c(desc, compiled, initial, depth)
        prog = compiled[6]
        if prog is True:  # header valid, entries decoded on the first walk
            prog = self._program(code, desc, code_off + 16, insns_size, this)
            self._programs[desc] = (*compiled[:6], prog)
        out = Summary()
        ret: set[str] = set()
        field_labels = self.field_labels
        private_returns = self.private_returns
        back: dict[int, list[dict[int, Labels]]] = {}  # loop head -> register states at its back edges
        # a second walk when the method loops: what a loop body made reaches the loop's head
        for walk_no in range(2):
            if walk_no:
                if not back or self.units >= MAX_UNITS:
                    break
                self.units += insns_size
            regs: dict[int, Labels] = dict(initial)
            result: Labels = EMPTY
            # register -> object id, shared by the registers a move-object copied it to
            objs: dict[int, int] = {}
            ids = itertools.count()
            # branch target -> register states jumping there: forward branches, and on the second walk back edges
            joins: dict[int, list[dict[int, Labels]]] = (
                {t: list(v) for t, v in back.items()} if walk_no else {}
            )

            def carry(
                reg: int, labels: Labels, regs: dict[int, Labels] = regs, objs: dict[int, int] = objs
            ) -> None:
                """The object in ``reg`` now holds ``labels``: so does every register holding the same object."""
                oid = objs.get(reg)
                for r2 in [r for r, o in objs.items() if o == oid] if oid is not None else [reg]:
                    regs[r2] = _cap(regs.get(r2, EMPTY) | labels)
                regs[reg] = _cap(regs.get(reg, EMPTY) | labels)

            get = regs.get
            drop = objs.pop
            for ent in prog:
                kind = ent[0]
                if (
                    joins and ent[1] in joins
                ):  # a forward branch lands here: what its registers held may still hold
                    for snap in joins.pop(ent[1]):
                        for reg, labels in snap.items():
                            cur = get(reg, EMPTY)
                            if not labels <= cur:
                                regs[reg] = _cap(cur | labels)
                if kind == _P_INVOKE:
                    _, _, op, p, arg_regs, info, cat, net, dest = ent
                    if info is None:  # unresolvable method id
                        value = EMPTY
                    elif cat is None and not any(map(get, arg_regs)):
                        # nothing labelled goes in: only a network stream or a known private return comes out
                        if net:
                            value = _NET
                        elif info[3] and info[0] in private_returns:
                            summ = self.call(info[0], (), depth + 1)
                            value = summ.returns if summ is not None else EMPTY
                        else:
                            value = EMPTY
                    else:  # a source or sink category, or labelled data going in (then arg_regs is not empty)
                        value, held_ = self._invoke(
                            code,
                            desc,
                            op,
                            p,
                            arg_regs[0] if arg_regs else -1,
                            info,
                            cat,
                            [get(r, EMPTY) for r in arg_regs],
                            out,
                            depth,
                            this,
                        )
                        if held_ is not None:
                            carry(arg_regs[0], held_)
                    if dest < 0:
                        result = value
                    else:  # the move-result that follows
                        regs[dest] = value
                        drop(dest, None)
                elif kind == _P_SET:
                    regs[ent[2]] = ent[3]
                    drop(ent[2], None)
                elif kind == _P_BRANCH:
                    if ent[3]:
                        if len(joins) < MAX_JOINS and regs:
                            joins.setdefault(ent[2], []).append(dict(regs))
                    elif not walk_no and len(back) < MAX_JOINS and regs:
                        back.setdefault(ent[2], []).append(dict(regs))
                elif kind == _P_GET:
                    _, _, dest, fdesc, base, obj = ent
                    if fdesc is None:
                        regs[dest] = EMPTY
                    else:
                        held = field_labels.get(fdesc)
                        mine = None
                        if obj >= 0:  # a field of a labelled object (a request's entity, a holder's value)
                            mine = get(obj)
                            if mine:
                                mine = {lab for lab in mine if lab[0] == "s"}
                        if held or mine:
                            labels = set(held or EMPTY)
                            labels |= base
                            if mine:
                                labels |= mine
                            regs[dest] = _cap(labels)
                        else:
                            regs[dest] = base
                    drop(dest, None)
                elif kind == _P_COPY:
                    regs[ent[2]] = get(ent[3], EMPTY)
                    drop(ent[2], None)
                elif kind == _P_MOVE_RESULT:
                    regs[ent[2]] = result if ent[3] else EMPTY
                    drop(ent[2], None)
                elif kind == _P_PUT:
                    labels = get(ent[2])
                    if labels and ent[3] is not None:
                        fdesc = ent[3]
                        kept = frozenset(lab for lab in labels if lab[0] == "s")
                        if kept and self._is_app_field(fdesc):
                            out.stores[fdesc] = _cap(out.stores.get(fdesc, EMPTY) | kept)
                        if ent[4] >= 0:  # the object now carries it (a holder passed on), not ``this``
                            carry(ent[4], kept)
                elif kind == _P_UNION:
                    regs[ent[2]] = _cap(get(ent[3], EMPTY) | get(ent[4], EMPTY))
                    drop(ent[2], None)
                elif kind == _P_MOVE_OBJECT:  # move-object*: both registers now name one object
                    dst, src = ent[2], ent[3]
                    regs[dst] = get(src, EMPTY)
                    oid = objs.get(src)
                    if oid is None:
                        oid = objs[src] = next(ids)
                    objs[dst] = oid
                elif kind == _P_RETURN:
                    ret |= get(ent[2], EMPTY)
                elif kind == _P_APUT:
                    if get(ent[2]):
                        carry(ent[3], regs[ent[2]])
                elif kind == _P_FILLED:  # filled-new-array: result is the array
                    acc: set[str] = set()
                    for reg in ent[2]:
                        acc |= get(reg, EMPTY)
                    result = _cap(acc)
                # _P_NOP: a branch target writing no register we track (its joins were merged above)
        out.returns = _cap(ret)
        return out

    def _walk_c(
        self, desc: str, compiled: tuple[Any, ...], initial: dict[int, Labels], depth: int
    ) -> Summary:
        """The walks of :meth:`analyse` in the C kernel, over :meth:`_program_c`'s entries (the same summary, counters
        and calls as the Python walk); the kernel hands the invokes that take labelled data or read a source, and the
        field reads and writes that carry private data, back to the callbacks below."""
        code, code_off, insns_size, nins, first, this, prog = compiled
        if prog is True:
            prog = self._program_c(code, desc, code_off + 16, insns_size, this, first + nins)
            self._programs[desc] = (*compiled[:6], prog)
        words, registers = prog
        consts = self._consts
        out = Summary()
        ret: set[str] = set()
        data = code.dex.data
        start = code_off + 16
        put_names = self._put_names.get(code.name)
        if put_names is None:
            put_names = self._put_names[code.name] = {}

        def invoke_cb(
            site: int, args: tuple[Labels, ...] | None, here: int, receiver: int
        ) -> tuple[Labels, Labels | None]:
            callee, info, cat = consts[site]
            if args is None:  # nothing labelled goes in, an app method known to return private data
                summ = self.call(callee, (), depth + 1)
                return (summ.returns if summ is not None else EMPTY), None
            p = start + here * 2
            return self._invoke(code, desc, data[p], p, receiver, info, cat, args, out, depth, this)

        def get_cb(i: int, obj: Labels) -> Labels:
            fdesc, base = consts[i]
            labels = set(self.field_labels.get(fdesc, EMPTY))
            labels |= base
            labels |= {lab for lab in obj if lab[0] == "s"}
            return _cap(labels)

        def put_cb(i: int, labels: Labels) -> Labels | None:
            fdesc = put_names.get(i, _MISSING)
            if (
                fdesc is _MISSING
            ):  # the field of a write, resolved when a labelled value is first written to it
                try:
                    fdesc = self._field_names(code)(i)
                except Exception:
                    fdesc = None
                put_names[i] = fdesc
            if fdesc is None:
                return None
            kept = frozenset(lab for lab in labels if lab[0] == "s")
            if kept and self._is_app_field(fdesc):
                out.stores[fdesc] = _cap(out.stores.get(fdesc, EMPTY) | kept)
            return kept

        def again() -> bool:  # the second walk, over the loops' back edges, while the budget lasts
            if self.units >= MAX_UNITS:
                return False
            self.units += insns_size
            return True

        self.kernel.walk(
            words,
            consts,
            registers,
            insns_size,
            initial,
            ret,
            self.field_labels,
            self.private_returns,
            invoke_cb,
            get_cb,
            put_cb,
            again,
            _cap,
            EMPTY,
            _NET,
            "net",
            MAX_JOINS,
            MAX_LABELS,
            this,
            self._summaries,
            depth + 1 > MAX_DEPTH,  # its app callees' walks: FlowAnalysis.call gives None unless memoised
        )
        out.returns = _cap(ret)
        return out

    def _program_c(
        self, code: Any, caller: str, start: int, insns_size: int, this: int, nregs: int
    ) -> tuple[bytes, int]:
        """The C walk's program of a method: the kernel's entries with their names resolved as :meth:`_program`
        resolves them, into indexes of the analysis's constants (``self._consts``, one entry per DEX and name:
        invokes ``(callee, info, source category)`` with the entry's flags, fields ``(descriptor, own label)`` for
        reads, strings and types their constant labels; a write keeps its field id, which the walk's ``put_cb``
        resolves when a labelled value is written); and the register count. The kernel looks each name up in the
        DEX's table of resolved names and calls back (:meth:`_resolver`) only for a new one (and for each call site
        of a query, whose category depends on the site and the caller)."""
        got = self._resolvers.get(code.name)
        if got is None:
            got = self._resolvers[code.name] = self._resolver(code)
        ids, resolve, here = got
        here[0] = caller
        tables = self._tables.get(code.name, _MISSING)
        if tables is _MISSING:
            tables = self._tables[code.name] = self._name_tables(code)
        words, registers = self.kernel.decode(
            code.dex.data, start, insns_size, this, _KIND_BYTES, WIDTH, ids, resolve, tables
        )
        return words, max(registers, nregs)

    def _name_tables(self, code: Any) -> tuple | None:
        """The C decode's ``tables`` for ``code``'s DEX (see ``_flow.c``, ``name_tables``; twin :func:`_table_const`):
        its id tables, a byte per type and per string id for the verdicts, the app's classes, the special names, the
        carrier prefixes, and the analysis's two shared constants (a plain framework callee's site, which the walk
        reads nothing of; the empty labels). None, so that every name goes to :meth:`_resolver`'s callback, when the
        id tables fail :meth:`~appwarden.dex.index.DexCode.check_descs` (then ``method_desc`` fails for every method)
        or the code object has no id tables."""
        try:
            code.check_descs()
            ids = code.id_args
            types, strings = bytearray(code.dex.type_ids_size), bytearray(code.dex.string_ids_size)
        except StageTimeout:
            raise
        except Exception:
            return None
        if self._shared is None:
            consts = self._consts
            consts.append(("", ("", "", None, False), None))
            consts.append(EMPTY)
            self._shared = (len(consts) - 2, len(consts) - 1)
        plain, empty = self._shared
        return (ids, types, strings, self.code.classes, _SPECIAL_NAMES, _CARRIER_BYTES, plain, empty)

    def _field_names(self, code: Any) -> Any:
        """:func:`_field_namer` of ``code``'s DEX, made once per DEX."""
        got = self._field_namers.get(code.name)
        if got is None:
            got = self._field_namers[code.name] = _field_namer(code)
        return got

    def _resolver(self, code: Any) -> tuple[dict[int, int], Any, list[str]]:
        """(the DEX's table of resolved names, the kernel's ``resolve`` callback for it, the cell naming the method
        being decoded) of one DEX, made once per DEX.

        ``resolve(key, kind, sub, idx, byte offset)`` gives a name's packed ``(constant index + 2) << 8 | flags``
        and keeps it in the table: the index in ``self._consts`` (-1 when the name does not resolve, -2 for a query
        resolved per call site). Names repeat over the DEX files (StringBuilder.append, Log.d ... in each
        classesN.dex): each name's packed constant is kept once per analysis (``self._named``), whatever the DEX.
        An invoke's constant is ``(callee, info, source category)`` with ``info`` as :meth:`_callee` gives it, its
        flags from the facts of its ``Lcls;->name`` key (:func:`_key_flags`, once per key) and whether its class
        is the app's (once per class); a field read's is ``(descriptor, own label)``; a const-string's and a
        const-class's their labels (a string or type that does not resolve: no labels)."""
        dex = code.dex
        cname = code.name
        ids = self._const_ids.get(cname)
        if ids is None:
            ids = self._const_ids[cname] = {}
        consts = self._consts
        named = self._named
        key_flags = self._key_flags
        app_class = self._app_class
        is_app_field = self._is_app_field
        query_cats = self._query_cats
        query_classes = self._query_classes
        method_desc = code.method_desc
        string = dex.string
        field_desc = self._field_names(code)
        here = [""]  # the method being decoded (a query's category may depend on its class)

        def resolve(key: int, kind: int, sub: int, idx: int, p: int) -> int:
            packed = ids.get(key)
            if packed is None:
                if kind == _P_INVOKE:
                    try:
                        name: str | None = method_desc(idx)
                    except Exception:
                        packed = ids[key] = 1 << 8  # does not resolve
                        return packed
                    nkey: tuple[str, str | None] = ("invoke", name)
                elif kind == _P_SET:
                    if sub == 1:
                        try:
                            name = string(idx & 0xFFFFFFFF)
                        except Exception:
                            name = None
                        nkey = ("string", name)
                    else:
                        try:
                            name = code.type_descs[idx]
                        except Exception:
                            name = None
                        nkey = ("class", name)
                else:  # _P_GET (a write's field is resolved by the walk's put_cb)
                    try:
                        name = field_desc(idx)
                    except Exception:
                        packed = ids[key] = 1 << 8
                        return packed
                    nkey = ("field", name)
                packed = named.get(nkey)
                if packed is None:
                    tag = nkey[0]
                    if tag == "invoke":
                        callee: str = name  # type: ignore[assignment]
                        key_ = callee.split("(", 1)[0]
                        facts = key_flags.get(key_)
                        if facts is None:
                            facts = key_flags[key_] = _key_flags(key_)
                        flags, plain, source, bare = facts
                        app = app_class(callee.split("->", 1)[0])
                        if app:
                            flags |= _F_APP
                            if not callee.endswith("<clinit>()V"):
                                flags |= _F_APPX
                                plain = bare  # with F_APPX: no sink, no hop (see _key_flags)
                        if plain:
                            flags |= _F_PLAIN  # private data going in makes no sink and no hop: the kernel derives it
                        if source == "?":
                            packed = flags  # a query: resolved per call site
                        else:
                            consts.append((callee, (callee, key_, source, app), source))
                            packed = (len(consts) + 1) << 8 | flags | (_F_SOURCE if source is not None else 0)
                    elif tag == "field":
                        consts.append((name, frozenset({"f:" + name}) if is_app_field(name) else EMPTY))  # type: ignore[operator,arg-type]
                        packed = (len(consts) + 1) << 8
                    else:
                        if name is None:  # a string or type that does not resolve
                            consts.append(EMPTY)
                        elif tag == "string":
                            consts.append(_const_labels(name))
                        else:  # const-class
                            consts.append(frozenset({"c:" + name}))
                        packed = (len(consts) + 1) << 8
                    named[nkey] = packed
                ids[key] = packed
            if packed >> 8:
                return packed
            # a query of unknown URI: its category depends on the call site and the caller
            info = self._callee(code, idx)
            assert info is not None
            cat = query_cats.get((cname, p)) or query_classes.get(here[0].split("->", 1)[0])
            consts.append((info[0], info, cat))
            return (len(consts) + 1) << 8 | packed | (_F_SOURCE if cat is not None else 0)

        return ids, resolve, here

    def _header(self, found: tuple[Any, int]) -> tuple[Any, ...]:
        """(code, code_off, insns_size, ins, first in-register, ``this`` register or -1, program) of a method with
        code; program None when the header rejects the method (no analysis counted past that point), True until
        :meth:`_program` decodes it."""
        code, r = found
        code_off = code.methods[r * METHOD_WORDS + 3]
        data = code.dex.data
        try:
            nregs, nins = _U16.unpack_from(data, code_off)[0], _U16.unpack_from(data, code_off + 2)[0]
            insns_size = _U32.unpack_from(data, code_off + 12)[0]
        except struct.error:
            return (code, code_off, 0, 0, 0, -1, None)
        start = code_off + 16
        if insns_size > MAX_INSNS or start + insns_size * 2 > len(data) or nins > nregs:
            return (code, code_off, 0, 0, 0, -1, None)
        first = nregs - nins
        this = -1 if code.methods[r * METHOD_WORDS + 2] & ACC_STATIC else first
        return (code, code_off, insns_size, nins, first, this, True)

    def _program(
        self, code: Any, caller: str, start: int, insns_size: int, this: int
    ) -> list[tuple[Any, ...]]:
        """The method's instructions as the walk uses them, decoded once: one tuple per instruction that reads or
        writes a tracked register (``(_P_*, pc, operands ...)``), resolved names and constant labels included; the
        instructions that do nothing for the walk are left out unless a branch lands on them. A move-result is
        folded into the invoke before it unless a branch lands on it. Stops where a walk over the code units would
        stop (an instruction running past the end)."""
        data = code.dex.data
        dex = code.dex
        starts: list[tuple[int, int, int]] = []  # (pc, op, byte offset)
        targets: set[int] = set()
        pc = 0
        while pc < insns_size:
            p = start + pc * 2
            op, b1 = data[p], data[p + 1]
            remaining = insns_size - pc
            width = _payload_width(data, p, b1, remaining) if op == 0 else WIDTH[op]
            if width > remaining or width == 0:
                break
            starts.append((pc, op, p))
            if _KIND[op] == _K_BRANCH:
                if op == 0x28:
                    delta = b1 - 256 if b1 & 0x80 else b1
                elif op == 0x2A:
                    delta = _S32.unpack_from(data, p + 2)[0]
                else:
                    delta = _S16.unpack_from(data, p + 2)[0]
                targets.add(pc + delta)
            pc += width
        prog: list[tuple[Any, ...]] = []
        fold = False
        prev_kind = _K_OTHER
        for i, (here, op, p) in enumerate(starts):
            kind = _KIND[op]
            b1 = data[p + 1]
            if kind == _K_MOVE_RESULT:
                if fold:  # folded into the invoke just before
                    fold = False
                    prev_kind = kind
                    continue
                prog.append((_P_MOVE_RESULT, here, b1, prev_kind in (_K_INVOKE, _K_FILLED)))
            elif kind == _K_INVOKE:
                midx = _U16.unpack_from(data, p + 2)[0]
                info = self._callee(code, midx)
                arg_regs = tuple(invoke_registers_at(op, data, p))
                cat = None
                net = False
                if info is not None:
                    cat = info[2]
                    if cat == "?":
                        cat = self._query_cats.get((code.name, p)) or self._query_classes.get(
                            caller.split("->", 1)[0]
                        )
                    net = info[1] in _NET_STREAMS
                dest = -1
                if (
                    i + 1 < len(starts)
                    and _KIND[starts[i + 1][1]] == _K_MOVE_RESULT
                    and starts[i + 1][0] not in targets
                ):
                    dest = data[starts[i + 1][2] + 1]
                    fold = True
                prog.append((_P_INVOKE, here, op, p, arg_regs, info, cat, net, dest))
            elif kind == _K_BRANCH:
                if op == 0x28:
                    delta = b1 - 256 if b1 & 0x80 else b1
                elif op == 0x2A:
                    delta = _S32.unpack_from(data, p + 2)[0]
                else:
                    delta = _S16.unpack_from(data, p + 2)[0]
                target = here + delta
                if here < target < insns_size:
                    prog.append((_P_BRANCH, here, target, True))
                elif 0 <= target < here:
                    prog.append((_P_BRANCH, here, target, False))
                elif here in targets:
                    prog.append((_P_NOP, here))
            elif kind == _K_CLEAR:  # move-exception, const*, new-instance
                prog.append((_P_SET, here, b1 & 0xF if op == 0x12 else b1, EMPTY))
            elif kind == _K_GET:
                try:
                    fdesc: str | None = dex.field_desc(_U16.unpack_from(data, p + 2)[0])
                except Exception:
                    fdesc = None
                base = EMPTY
                if fdesc is not None and self._is_app_field(fdesc):
                    base = frozenset({"f:" + fdesc})
                if op in _IGET:
                    prog.append((_P_GET, here, b1 & 0xF, fdesc, base, b1 >> 4))
                else:
                    prog.append((_P_GET, here, b1, fdesc, base, -1))
            elif kind == _K_CONST_STRING:
                idx = _U16.unpack_from(data, p + 2)[0] if op == 0x1A else _U32.unpack_from(data, p + 2)[0]
                try:
                    labels = _const_labels(dex.string(idx))
                except Exception:
                    labels = EMPTY
                prog.append((_P_SET, here, b1, labels))
            elif kind == _K_PUT:
                try:
                    pdesc: str | None = dex.field_desc(_U16.unpack_from(data, p + 2)[0])
                except Exception:
                    pdesc = None
                obj = b1 >> 4 if op in _IPUT and b1 >> 4 != this else -1
                prog.append((_P_PUT, here, b1 & 0xF if op in _IPUT else b1, pdesc, obj))
            elif kind in (_K_MOVE_12X, _K_UNOP, _K_BINOP_LIT16):
                prog.append((_P_COPY, here, b1 & 0xF, b1 >> 4))
            elif kind == _K_MOVE_22X:
                prog.append((_P_COPY, here, b1, _U16.unpack_from(data, p + 2)[0]))
            elif kind == _K_MOVE_32X:
                prog.append(
                    (_P_COPY, here, _U16.unpack_from(data, p + 2)[0], _U16.unpack_from(data, p + 4)[0])
                )
            elif kind in (_K_AGET, _K_BINOP_LIT8):
                prog.append((_P_COPY, here, b1, data[p + 2]))
            elif kind == _K_MOVE_OBJECT:
                if op == 0x07:
                    prog.append((_P_MOVE_OBJECT, here, b1 & 0xF, b1 >> 4))
                elif op == 0x08:
                    prog.append((_P_MOVE_OBJECT, here, b1, _U16.unpack_from(data, p + 2)[0]))
                else:
                    prog.append(
                        (
                            _P_MOVE_OBJECT,
                            here,
                            _U16.unpack_from(data, p + 2)[0],
                            _U16.unpack_from(data, p + 4)[0],
                        )
                    )
            elif kind == _K_RETURN:
                prog.append((_P_RETURN, here, b1))
            elif kind == _K_CONST_CLASS:
                try:
                    labels = frozenset({"c:" + code.type_descs[_U16.unpack_from(data, p + 2)[0]]})
                except Exception:
                    labels = EMPTY
                prog.append((_P_SET, here, b1, labels))
            elif kind == _K_CLEAR_A:  # instance-of, array-length, new-array: vA, vB
                prog.append((_P_SET, here, b1 & 0xF, EMPTY))
            elif kind == _K_CMP:
                prog.append((_P_SET, here, b1, EMPTY))
            elif kind == _K_BINOP_2ADDR:
                prog.append((_P_UNION, here, b1 & 0xF, b1 & 0xF, b1 >> 4))
            elif kind == _K_BINOP:
                prog.append((_P_UNION, here, b1, data[p + 2], data[p + 3]))
            elif kind == _K_APUT:
                prog.append((_P_APUT, here, b1, data[p + 2]))
            elif kind == _K_FILLED:  # 35c / 3rc register lists, as an invoke's
                prog.append(
                    (_P_FILLED, here, tuple(invoke_registers_at(0x6E if op == 0x24 else 0x74, data, p)))
                )
            elif here in targets:  # writes no register we track, but a branch lands here
                prog.append((_P_NOP, here))
            prev_kind = kind
        return prog

    def _callee(self, code: Any, midx: int) -> tuple[str, str, str | None, bool] | None:
        """(descriptor, ``Lcls;->name`` key, source category or ``?`` for a query or None, app method) of a method
        id of ``code``'s DEX, None when the id does not resolve."""
        info = self._callees.get((code.name, midx))
        if info is None:
            try:
                callee = code.method_desc(midx)
            except Exception:
                return None
            key = _key(callee)
            source = SOURCE_APIS.get(key) or ("?" if key in QUERY_APIS else None)
            info = self._callees[(code.name, midx)] = (callee, key, source, self._is_app_method(callee))
        return info

    def _is_app_field(self, fdesc: str) -> bool:
        known = self._app_fields.get(fdesc)
        if known is None:
            known = self._app_fields[fdesc] = self._app_class(fdesc.split("->", 1)[0])
        return known

    def _invoke(
        self,
        code: Any,
        caller: str,
        op: int,
        offset: int,
        receiver: int,
        info: tuple[str, str, str | None, bool],
        cat: str | None,
        args: list[Labels] | tuple[Labels, ...],
        out: Summary,
        depth: int,
        this: int,
    ) -> tuple[Labels, Labels | None]:
        """(the labels an invoke returns, the labels its receiver register now carries or None) for
        the invoke's argument labels ``args`` (``info``: :meth:`_callee`; ``cat``: the source category it reads,
        query URIs resolved, or None); its sinks and hops are recorded in ``out``. The walk calls it unless nothing
        labelled goes in and it reads no source."""
        callee, key, _source, is_app = info
        static = op in OP_INVOKE_STATIC
        facts = self._facts.get(key)
        if facts is None:
            facts = self._facts[key] = _callee_facts(key)
        may_sink, name, cls, carrier, net_stream = facts
        # sources
        if cat is not None:
            lab = self._site_label(cat, callee, caller, code.name, offset)
            return _cap({lab} | (args[0] if args and not static else EMPTY)), None
        if not any(
            args
        ):  # nothing labelled goes in: only a network stream or a known private return comes out
            if net_stream:
                return _NET, None
            if is_app and callee in self.private_returns:
                summ = self.call(callee, (), depth + 1)
                return (summ.returns if summ is not None else EMPTY), None
            return EMPTY, None
        # sinks
        if may_sink:
            self._check_sink(code, caller, callee, key, static, args, offset, out)
        # app callee: walked when it receives private data (or is known to return some)
        if is_app and not callee.endswith("<clinit>()V"):
            passes = any(lab[0] == "s" for a in args for lab in a)
            summ = None
            if passes:
                summ = self.call(callee, tuple(args), depth + 1)
            elif callee in self.private_returns:
                summ = self.call(callee, (), depth + 1)
            if summ is not None:
                out.sinks.extend(
                    Sink(s.kind, s.data, s.endpoint, s.caller, s.api, s.dex, s.offset, (caller, *s.chain))
                    for s in summ.sinks
                )
                for fdesc, labels in summ.stores.items():
                    out.stores[fdesc] = _cap(out.stores.get(fdesc, EMPTY) | labels)
                out.starts.extend(summ.starts)
                # an app setter: its receiver (not ``this``) now holds the data
                if not static and args and summ.stores and receiver != this:
                    held: set[str] = set()
                    for labels in summ.stores.values():
                        held |= labels
                    if held - args[0]:
                        return summ.returns, frozenset(held)
                return summ.returns, None
            if not passes:
                return EMPTY, None
        # framework (or unresolved) callee: derived from receiver and arguments
        acc: set[str] = set().union(*args)
        if net_stream:
            acc.add("net")
        elif "net" in acc and not (args and not static and "net" in args[0]):
            acc.discard("net")
        carried = None
        if not static and args and len(args) > 1 and carrier:
            extra = set()
            for a in args[1:]:
                extra |= {lab for lab in a if lab != "net"}
            if extra - args[0] and receiver != this:
                carried = frozenset(extra)
                if name == "<init>":  # the new object is the register's value from now on
                    return EMPTY, carried
        # ICC and AsyncTask hops: an app component started with the data
        if name in _START and len(args) > 1:
            intent = args[-1] if name != "sendOrderedBroadcast" else args[1]
            out.starts.extend(intent_starts(intent))
        elif (
            name in ("execute", "executeOnExecutor")
            and not static
            and args
            and cls in self.code.classes
            and any(lab[0] == "s" for a in args[1:] for lab in a)
        ):
            labels = frozenset(lab for a in args[1:] for lab in a if lab[0] == "s")
            out.starts.append((cls, _cap(labels), "asynctask"))
        if name == "<init>":
            return EMPTY, carried
        return _cap(acc), carried

    def _check_sink(
        self,
        code: Any,
        caller: str,
        callee: str,
        key: str,
        static: bool,
        args: list[Labels],
        offset: int,
        out: Summary,
    ) -> None:
        kind = None
        data: set[str] = set()
        endpoint: set[str] = set()
        name = key.split("->", 1)[1] if "->" in key else ""
        cls = key.split("->", 1)[0]
        if key in SMS_SINKS:
            for pos in SMS_SINKS[key]:
                if pos < len(args):
                    data |= args[pos]
            kind = "sms"
            endpoint = set(args[1]) if len(args) > 1 else set()
        elif key in REQUEST_SINKS or key in MAIL_SINKS:
            for a in args[0 if static else 1 :]:
                data |= a
                endpoint |= a
            if not static and args:
                endpoint |= args[0]
            kind = "mail" if key in MAIL_SINKS else "network"
        elif (cls in _CONNECTIONS and name in _CONNECT_NAMES) or key in _URL_OPEN:
            if args:
                data |= args[0]
                endpoint |= args[0]
            kind = "network"
        elif name in _WRITE_NAMES and not static and args and "net" in args[0]:
            for a in args[1:]:
                data |= a
            endpoint |= args[0]
            kind = "network"
        elif name == "startActivity" and len(args) > 1 and "x:send" in args[-1]:
            data |= args[-1]
            endpoint |= args[-1]
            kind = "mail_intent"
        if kind is None:
            return
        data = {lab for lab in data if lab[0] == "s"}
        if data:
            out.sinks.append(Sink(kind, _cap(data), _cap(endpoint), caller, callee, code.name, offset))

    # -- driver ----------------------------------------------------------------------------------------------

    def _roots(self) -> list[str]:
        """Methods reading a source, those reading contacts, call log or SMS first (the budget goes there first).
        The static stage's PI call sites name most of them; the SMS getters it does not list are looked up."""
        comms = ("contacts", "call_log", "sms")
        device = ("imei", "imsi", "iccid", "phone_number", "location")
        by_rank: list[tuple[int, str]] = []
        for site in self.ctx.static.callsites:
            if site.kind == "invoke" and (site.category in comms or site.category in device):
                key = _key(site.api)
                if key in SOURCE_APIS or key in QUERY_APIS:
                    by_rank.append((site.category not in comms, site.caller))
        getters = [k for k, c in SOURCE_APIS.items() if c == "sms_in"]
        by_rank += [(False, ref.caller) for ref in self.code.invokes(getters)]  # SmsMessage is final
        roots: dict[str, None] = {}
        for _rank, caller in sorted(by_rank, key=lambda x: x[0]):
            if caller not in roots and self.ctx.is_app_code(caller):
                roots[caller] = None
        for ref in self.code.invokes(["Landroid/location/LocationManager;->requestLocationUpdates"]):
            if not self.ctx.is_app_code(ref.caller):
                continue
            for cls in self._nested(ref.caller.split("->", 1)[0].split("$", 1)[0].rstrip(";") + ";"):
                for desc in self._class_methods(cls):
                    if desc.endswith("onLocationChanged(Landroid/location/Location;)V"):
                        roots.setdefault(desc, None)
        return list(roots)

    def _nested(self, cls: str) -> list[str]:
        """``cls`` and the app classes nested in it (``Lcom/x/Foo$1;`` ...), capped."""
        names, prefix = self.ctx.sorted_classes, cls[:-1] + "$"
        out = [cls]
        i = bisect_left(names, prefix)
        while i < len(names) and names[i].startswith(prefix) and len(out) < MAX_CLASS_METHODS:
            out.append(names[i])
            i += 1
        return out

    def _class_methods(self, cls: str) -> list[str]:
        """Methods of the app class ``cls`` (capped): where its instance fields are read (a nested class reads them
        through the class's synthetic accessors, whose callers the return-value hop reaches)."""
        info = self.code.class_info(cls) if cls in self.code.classes else None
        return list(info.methods[:MAX_CLASS_METHODS]) if info is not None else []

    def run(self) -> list[Sink]:
        """Walk the roots, then (in at most :data:`MAX_UP` more waves) the methods a hop makes worth walking again:
        callers of methods returning private data, readers of fields holding it. Each wave asks the code index
        once for all its callers and static-field readers."""
        if self.code is None:
            return []
        self._prepare_queries()
        found: list[Sink] = []
        wave = list(dict.fromkeys(self._roots()))
        icc_done: set[tuple[str, Labels]] = set()
        stores_done: set[str] = set()
        for level in range(MAX_UP + 1):
            returning: list[str] = []
            fields: list[str] = []
            summaries = self._summaries
            for desc in wave:
                if self.analyses >= MAX_METHODS or self.units >= MAX_UNITS:
                    # past the bounds (they only grow): call() gives the memoised walk, else None, and says so
                    key = (desc, ())
                    summ = summaries.get(key)
                    if summ is None:
                        if key not in summaries:
                            self.truncated = True
                            summaries[key] = None
                        continue
                else:
                    summ = self.call(desc, (), 0)
                if summ is None:
                    continue
                found.extend(summ.sinks)
                if desc not in self.private_returns and any(lab[0] == "s" for lab in summ.returns):
                    self.private_returns.add(desc)
                    returning.append(desc)
                for fdesc, labels in summ.stores.items():
                    self.field_labels[fdesc] = _cap(self.field_labels.get(fdesc, EMPTY) | labels)
                    if fdesc not in stores_done:
                        stores_done.add(fdesc)
                        fields.append(fdesc)
                for target, labels, how in summ.starts:  # Intents and AsyncTasks into app components
                    if (target, labels) not in icc_done:
                        icc_done.add((target, labels))
                        found.extend(self._component(target, labels, how))
            if level == MAX_UP or (
                self.truncated and (self.analyses >= MAX_METHODS or self.units >= MAX_UNITS)
            ):
                # past the bounds every later walk gives None: the waves after this one find nothing, and the
                # analysis already says it stopped (the callers and readers of a next wave are not asked for)
                break
            again: dict[str, None] = {}
            if returning:  # callers of a method returning private data walk again, now knowing that
                for ref in self.code.invokes(returning):
                    again.setdefault(ref.caller, None)
            if fields:  # readers of a field holding private data walk again, now with the field's labels
                for ref in self.code.field_reads(fields):
                    again.setdefault(ref.caller, None)
                for fdesc in fields:
                    for desc in self._class_methods(fdesc.split("->", 1)[0]):
                        again.setdefault(desc, None)
            wave = [d for d in again if self.ctx.is_app_code(d)]
            for desc in wave:
                self._summaries.pop((desc, ()), None)
        return found

    def _component(self, target: str, labels: Labels, how: str) -> list[Sink]:
        info = self.code.class_info(target)
        if info is None or not self.ctx.is_app_code(target):
            return []
        found: list[Sink] = []
        for desc in info.methods:
            name = desc.split("->", 1)[1]
            if how == "asynctask":
                if not name.startswith("doInBackground("):
                    continue
                params = [EMPTY, labels]
            else:
                if name not in _ICC_ENTRIES:
                    continue
                params = [EMPTY] * 3
                params[2 if name.startswith("onReceive(") else 1] = labels
            summ = self.analyse(desc, params, 0)
            if summ is not None:
                found.extend(
                    Sink(
                        s.kind,
                        s.data,
                        s.endpoint,
                        s.caller,
                        s.api,
                        s.dex,
                        s.offset,
                        (f"{how}:{target}", *s.chain),
                    )
                    for s in summ.sinks
                    if any(lab[0] == "s" for lab in s.data)
                )
        return found


def find_leaks(ctx: Any) -> list[Leak]:
    """Every source-to-sink flow of the app (one analysis per :class:`ScreenContext`, cached there)."""
    cached = ctx._flow_leaks
    if cached is not None:
        return cached
    analysis = FlowAnalysis(ctx)
    try:
        sinks = analysis.run() if ctx.code is not None else []
    except StageTimeout:
        raise
    except Exception as exc:  # malformed code the walk did not anticipate: no flows, and say so once
        ctx.notes.append(f"data-flow analysis not completed: {type(exc).__name__}: {str(exc)[:120]}")
        sinks = []
    leaks: list[Leak] = []
    seen: set[tuple[int, str, int]] = set()
    for sink in sinks:
        endpoint = sorted(lab[2:] for lab in sink.endpoint if lab[:2] in ("h:", "n:", "m:"))
        fields = sorted(lab[2:] for lab in sink.endpoint if lab.startswith("f:"))
        for lab in sorted(sink.data):
            if lab[0] != "s":
                continue
            i = int(lab[1:])
            key = (i, sink.dex, sink.offset)
            if key in seen:
                continue
            seen.add(key)
            site = analysis.sites[i]
            leaks.append(Leak(site["category"], site, sink, endpoint, fields))
    if analysis.truncated:
        ctx.notes.append(
            f"data-flow analysis stopped at its bound ({analysis.analyses} methods, {analysis.units} code units)"
        )
    ctx._flow_leaks = leaks
    return leaks
