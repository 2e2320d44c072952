"""Content-addressed file storage: a file lives at ``<root>/<sha[:2]>/<sha[2:4]>/<sha>``.

Writers stream into a temporary file in the same directory and rename it into place, so a crash never leaves a
partial file under a content address, and concurrent writers of the same content are harmless. Several workers
on different machines share the same root (NFS, a mounted volume).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings

from appwarden.platform.core.errors import UploadError
from appwarden.platform.core.files import private_dir


def root() -> Path:
    return Path(settings.APPWARDEN_STORAGE_DIR)


def path_for(sha256: str) -> Path:
    """Where the blob with this sha256 lives (whether or not it exists)."""
    sha = sha256.lower()
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise UploadError(f"not a sha256: {sha256!r}")
    return root() / sha[:2] / sha[2:4] / sha


def exists(sha256: str) -> bool:
    return path_for(sha256).is_file()


def store_chunks(
    chunks: Iterable[bytes], *, max_size: int, validate: Callable[[Path], None] | None = None
) -> tuple[str, int]:
    """Store a stream; return ``(sha256, size)``.

    Raise UploadError, storing nothing, past ``max_size`` bytes or when ``validate(temp_path)`` raises.
    """
    base = private_dir(
        root()
    )  # created 0700: stored APKs, policies and traces are readable by the owner only
    digest = hashlib.sha256()
    size = 0
    fd, tmp = tempfile.mkstemp(prefix=".upload-", dir=base)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > max_size:
                    raise UploadError(
                        f"file too large: more than {max_size // (1024 * 1024)} MB (limit APPWARDEN_MAX_UPLOAD_MB)"
                    )
                digest.update(chunk)
                out.write(chunk)
        if validate is not None:
            validate(Path(tmp))
        sha = digest.hexdigest()
        final = path_for(sha)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.is_file():
            os.unlink(tmp)
        else:
            os.replace(tmp, final)
        return sha, size
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def store_bytes(data: bytes, *, max_size: int | None = None) -> tuple[str, int]:
    return store_chunks([data], max_size=max_size if max_size is not None else len(data))


def open_blob(sha256: str):
    """Open a stored blob for reading; UploadError when missing."""
    path = path_for(sha256)
    if not path.is_file():
        raise UploadError(f"stored file {sha256[:12]}… is missing from {root()}")
    return path.open("rb")
