"""Explicit, configurable safety limits for every stage.

Each limit bounds memory or time against hostile input (zip bombs, looping DEX structures, huge policies).
Defaults are generous for real apps (the largest popular apps ship ~100 MB of DEX) and can be overridden from the
CLI (``--max-*`` flags) or the platform settings.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import BinaryIO

from appwarden.errors import InputError, LimitExceeded, StageTimeout

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Safety limits; all sizes in bytes, times in seconds."""

    max_apk_size: int = 2048 * MB
    max_entries: int = 200_000
    max_entry_size: int = 512 * MB  # uncompressed size of any single entry we read
    max_total_uncompressed: int = 4096 * MB  # sum over entries we actually read
    max_compression_ratio: int = 1000  # uncompressed/compressed for one entry (zip bomb guard)
    max_dex_size: int = 256 * MB
    max_dex_files: int = 200
    max_manifest_size: int = 16 * MB
    max_arsc_size: int = 128 * MB
    max_policy_size: int = 20 * MB
    max_trace_line: int = 1 * MB
    max_trace_size: int = (
        4096 * MB
    )  # bytes read from a trace file, after decompression (streamed, never held)
    max_json_depth: int = 64  # nesting of one trace line's JSON (checked before parsing; real events use ~4)
    stage_timeout: float = 300.0  # per scan stage (wall clock), enforced by the pipeline

    def with_overrides(self, **changes: object) -> Limits:
        """Return a copy with the given fields changed (``None`` values are ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


DEFAULT_LIMITS = Limits()


# ------------------------------------------------------------------------------------------------- deadlines


class Deadline:
    """A wall-clock deadline on the monotonic clock that long loops check cooperatively.

    ``expires_at`` is a :func:`time.monotonic` value (on Linux ``CLOCK_MONOTONIC``, which the C extension reads
    too, so the same number can be handed to C loops). :meth:`check` raises :class:`LimitExceeded` naming the stage
    once the deadline has passed.
    """

    __slots__ = ("expires_at", "seconds", "stage")

    def __init__(self, stage: str, seconds: float) -> None:
        self.stage = stage
        self.seconds = seconds
        self.expires_at = time.monotonic() + seconds

    def expired(self) -> bool:
        """True once the deadline has passed."""
        return time.monotonic() >= self.expires_at

    def check(self) -> None:
        """Raise LimitExceeded when the deadline has passed; otherwise return at once."""
        if time.monotonic() >= self.expires_at:
            raise StageTimeout(self.message())

    def message(self) -> str:
        """The one-line error a timed-out stage reports."""
        return f"stage {self.stage!r} exceeded its time limit of {self.seconds:g} s"


_CURRENT: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar("appwarden_deadline", default=None)


def current_deadline() -> Deadline | None:
    """The innermost active deadline of this thread/context, or None."""
    return _CURRENT.get()


def check_deadline() -> None:
    """Raise StageTimeout (a LimitExceeded) when the active deadline (if any) has passed. Cheap enough for every loop iteration
    of work that is not itself trivial; call it every few thousand iterations in tight loops."""
    current = _CURRENT.get()
    if current is not None and time.monotonic() >= current.expires_at:
        raise StageTimeout(current.message())


def deadline_monotonic() -> float:
    """The active deadline as a ``time.monotonic()`` value, or 0.0 when there is none (what C loops take)."""
    current = _CURRENT.get()
    return current.expires_at if current is not None else 0.0


@contextlib.contextmanager
def cooperative_deadline(stage: str, seconds: float) -> Iterator[Deadline | None]:
    """Make ``stage`` the active deadline for the block (``seconds <= 0``: no new deadline).

    Works in any thread (it is a context variable, not a signal). Nested deadlines never extend an enclosing
    one: the inner deadline expires at the earlier of the two. Code inside calls :func:`check_deadline`.
    """
    if seconds <= 0:
        yield _CURRENT.get()
        return
    new = Deadline(stage, seconds)
    outer = _CURRENT.get()
    if outer is not None and outer.expires_at < new.expires_at:
        new = outer
    token = _CURRENT.set(new)
    try:
        yield new
    finally:
        _CURRENT.reset(token)


# --------------------------------------------------------------------------------------------- regular files


def open_regular_file(
    path: str | os.PathLike[str], max_size: int, what: str = "input"
) -> tuple[BinaryIO, int]:
    """Open ``path`` for reading only if it is a regular file of at most ``max_size`` bytes.

    Returns ``(binary file object, size)``. The file is opened with ``O_NONBLOCK`` (a named pipe or a device never
    blocks the open) and checked with ``fstat`` on the opened descriptor (no race with a swapped path): a
    directory, pipe, socket or device (``/dev/zero`` through a link included) raises :class:`InputError`, a file
    over ``max_size`` raises :class:`LimitExceeded`, both before a byte is read. ``what`` names the input in the
    one-line message ("APK", "trace", "policy").
    """
    name = os.fspath(path)
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory; the {what} must be a regular file") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot open {what}: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{name}: is a directory; the {what} must be a regular file")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(
                f"{name}: is not a regular file (a pipe, socket or device); {what} must be a file"
            )
        if info.st_size > max_size:
            raise LimitExceeded(f"{name}: {what} is {info.st_size} bytes, over the limit of {max_size} bytes")
        os.set_blocking(fd, True)
        fh = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    return fh, info.st_size  # type: ignore[return-value]


def read_regular_file(path: str | os.PathLike[str], max_size: int, what: str = "input") -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``max_size`` bytes (see :func:`open_regular_file`
    for the checks); never reads more than ``max_size`` bytes even if the file grows while being read."""
    fh, _size = open_regular_file(path, max_size, what)
    with fh:
        try:
            data = fh.read(max_size + 1)
        except OSError as exc:
            raise InputError(f"{os.fspath(path)}: cannot read {what}: {exc.strerror or exc}") from None
    if len(data) > max_size:
        raise LimitExceeded(
            f"{os.fspath(path)}: {what} grew over the limit of {max_size} bytes while being read"
        )
    return data


__all__ = [
    "DEFAULT_LIMITS",
    "MB",
    "Deadline",
    "Limits",
    "check_deadline",
    "cooperative_deadline",
    "current_deadline",
    "deadline_monotonic",
    "open_regular_file",
    "read_regular_file",
]
