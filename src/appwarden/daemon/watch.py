"""Cheap "did anything change?" for the staleness stamp: Linux inotify on the stamped directories (via ctypes).

Re-computing the stamp stats every file of the package (~600; 1-5 ms depending on the machine). The server uses
a :class:`Watcher` to skip that when nothing can have changed: :meth:`Watcher.changed` drains the inotify queue and
says whether any event arrived since the last call (an overflowed queue counts as a change). The server still
re-computes the full stamp when there was an event, at least once every ``FULL_CHECK_INTERVAL`` seconds (changes
inotify cannot see, e.g. made by another host on a network file system), and whenever no watcher could be set up
(:func:`make_watcher` returns None: not Linux, no inotify, watch limit reached).

Contract: a change to a file under the watched tree (content, size, mtime, creation, removal, rename) or to the
extra file makes the next :meth:`Watcher.changed` return True; :meth:`Watcher.resync` adds watches for directories
created since (call it after a full stamp check that found the tree unchanged).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import struct

from appwarden.daemon.stamp import SKIP_DIRS, SKIP_TOP, package_dir

FULL_CHECK_INTERVAL = 1.0

_IN_NONBLOCK = os.O_NONBLOCK
_IN_CLOEXEC = os.O_CLOEXEC
_MASK = (
    0x00000002  # IN_MODIFY
    | 0x00000004  # IN_ATTRIB (touch, chmod)
    | 0x00000008  # IN_CLOSE_WRITE
    | 0x00000040  # IN_MOVED_FROM
    | 0x00000080  # IN_MOVED_TO
    | 0x00000100  # IN_CREATE
    | 0x00000200  # IN_DELETE
    | 0x00000400  # IN_DELETE_SELF
    | 0x00000800  # IN_MOVE_SELF
)
_IN_IGNORED = 0x00008000
_EVENT = struct.Struct("iIII")  # wd, mask, cookie, len (then len bytes of name)


class Watcher:
    """inotify watches on a directory tree (minus ``__pycache__`` and top-level ``platform/``) and one extra file."""

    def __init__(self, libc: ctypes.CDLL, fd: int, root: str, extra: str | None) -> None:
        self._libc = libc
        self.fd = fd
        self.root = root
        self.extra = extra
        self._watched: set[str] = set()
        self.resync()

    def _add(self, path: str) -> None:
        if path in self._watched:
            return
        if self._libc.inotify_add_watch(self.fd, os.fsencode(path), _MASK) < 0:
            err = ctypes.get_errno()
            raise OSError(err, f"inotify_add_watch {path}: {os.strerror(err)}")
        self._watched.add(path)

    def resync(self) -> None:
        """Watch every directory of the tree (new ones too) and the extra file (OSError when a watch fails)."""
        stack = [self.root]
        while stack:
            directory = stack.pop()
            self._add(directory)
            with os.scandir(directory) as it:
                for entry in it:
                    if entry.is_dir(follow_symlinks=False) and entry.name not in SKIP_DIRS:
                        if directory == self.root and entry.name in SKIP_TOP:
                            continue
                        stack.append(entry.path)
        if self.extra:
            self._watched.discard(self.extra)  # re-arm: a replaced file is a new inode
            # missing: the full stamp records its absence (its directory is not ours to watch)
            with contextlib.suppress(OSError):
                self._add(self.extra)

    def changed(self) -> bool:
        """True when any event (or a queue overflow) arrived since the last call; drains the queue."""
        seen = False
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return seen
            except OSError:
                return True
            if not data:
                return seen
            offset = 0
            while offset + _EVENT.size <= len(data):
                _wd, mask, _cookie, length = _EVENT.unpack_from(data, offset)
                offset += _EVENT.size + length
                if mask != _IN_IGNORED:
                    seen = True

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def make_watcher(root: str | None = None, extra: str | None = None) -> Watcher | None:
    """A :class:`Watcher` on ``root`` (default: the installed package) and ``extra``; None when unavailable."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        init = libc.inotify_init1
    except (OSError, AttributeError):
        return None
    fd = init(_IN_NONBLOCK | _IN_CLOEXEC)
    if fd < 0:
        return None
    try:
        return Watcher(libc, fd, root or package_dir(), extra)
    except OSError:
        os.close(fd)
        return None
