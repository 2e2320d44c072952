"""The scan daemon's wire format. Lean (no imports): the launcher of every ``appwarden scan`` uses it.

Request (client -> server), one frame: a 4-byte big-endian length, then that many bytes of NUL-separated UTF-8
fields (``surrogateescape``, so any argv/environment bytes round-trip; no field can contain NUL because argv,
paths and environment strings cannot). It is hand-built rather than JSON because importing :mod:`json` costs more
than the rest of the client. Fields::

    TAG, op, client __version__, client sys.executable, client's appwarden package directory   (every op)
    cwd, umask (octal), stdin encoding, stdin errors, stdout encoding, stdout errors, stderr encoding, stderr errors,
    argc, argv[0..argc), then "NAME=value" per environment variable  (op "scan" only)

The native client (``client.c``) leaves the package directory and the six encoding fields empty: it cannot know
the first (the server then identifies the installation by interpreter and version; the native client defers to
the Python launcher whenever ``PYTHONPATH`` and the like could change which appwarden Python imports), and the
child derives the encodings from the client's environment as Python does at start-up.

A ``scan`` request carries the client's fds 0, 1, 2 as SCM_RIGHTS ancillary data of its first bytes.

Replies (server or child -> client) are ASCII lines: ``pid N`` (the child that runs the scan), ``exit N`` (its exit
code; the last line), ``stale REASON`` (the server is out of date and shuts down: run in-process),
``error REASON`` (the request was refused: run in-process), ``status JSON`` and ``stopping PID``.
"""

TAG = "appwarden-daemon/1"
OPS = ("scan", "status", "stop")
MAX_REQUEST = 4 << 20  # a request longer than this is refused (argv + environment are far smaller)
COMMON = 5  # fields of every request: TAG, op, version, executable, package directory
# fields of a scan request before argv: the common ones, cwd, umask, 6 x encoding, argc
SCAN_FIXED = COMMON + 9


def encode_request(
    op: str, version: str, executable: str, package: str, scan: list[str] | None = None
) -> bytes:
    """One request frame; ``scan`` is the scan-specific field list (see :func:`scan_fields`)."""
    fields = [TAG, op, version, executable, package, *(scan or ())]
    payload = "\0".join(fields).encode("utf-8", "surrogateescape")
    return len(payload).to_bytes(4, "big") + payload


def scan_fields(
    cwd: str, umask: int, encodings: list[str], argv: list[str], environ: dict[str, str]
) -> list[str]:
    """The fields of a scan request after the common ones (``encodings``: 3 x (encoding, errors))."""
    return [cwd, f"{umask:o}", *encodings, str(len(argv)), *argv, *(f"{k}={v}" for k, v in environ.items())]


class Request:
    """A decoded request. ``argv``, ``environ``, ``cwd``, ``umask`` and ``encodings`` are set for op ``scan`` only."""

    def __init__(self, fields: list[str]) -> None:
        if len(fields) < COMMON or fields[0] != TAG or fields[1] not in OPS:
            raise ValueError("not an appwarden daemon request")
        self.op, self.version, self.executable, self.package = fields[1:COMMON]
        self.cwd = ""
        self.umask = 0o022
        self.encodings: list[str] = []
        self.argv: list[str] = []
        self.environ: dict[str, str] = {}
        self.payload = b""  # the encoded request, when decoded from a frame (decode_request)
        if self.op != "scan":
            return
        if len(fields) < SCAN_FIXED:
            raise ValueError("truncated scan request")
        self.cwd = fields[COMMON]
        self.umask = int(fields[COMMON + 1], 8) & 0o777
        self.encodings = fields[COMMON + 2 : COMMON + 8]
        argc = int(fields[COMMON + 8])
        if argc < 0 or SCAN_FIXED + argc > len(fields):
            raise ValueError("bad argument count in scan request")
        self.argv = fields[SCAN_FIXED : SCAN_FIXED + argc]
        for item in fields[SCAN_FIXED + argc :]:
            name, sep, value = item.partition("=")
            if not sep or not name:
                raise ValueError("bad environment entry in scan request")
            self.environ[name] = value


def decode_request(payload: bytes) -> Request:
    """The request in a frame's payload (without the length), which it keeps as ``payload``; ValueError when
    malformed."""
    request = Request(payload.decode("utf-8", "surrogateescape").split("\0"))
    request.payload = payload
    return request
