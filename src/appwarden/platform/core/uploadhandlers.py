"""Upload handlers: an oversize file is refused while it arrives, never written whole (issue #17).

Django writes an uploaded file to memory or a temporary file (``FILE_UPLOAD_TEMP_DIR``) before any view sees it, so a
size check in the view comes after the disk has received the whole file. :class:`LimitedUploadHandler` runs first in
``FILE_UPLOAD_HANDLERS``: every chunk passes through it before the memory / temporary-file handlers, and once one
file's received bytes exceed ``APPWARDEN_MAX_UPLOAD`` it records the refusal on the request and raises
``StopUpload(connection_reset=True)``: Django stops reading, closes (and so deletes) the partial files, and no more
than the limit is ever written for one file. A request whose declared ``Content-Length`` is already above the limit
plus the side-file slack is refused before the first file starts.

Contract: after parsing, ``request.appwarden_upload_refused`` holds the one-line Chinese-first message when the
upload was refused (absent otherwise); :class:`~appwarden.platform.core.middleware.UploadLimitMiddleware` answers
such a request with HTTP 413 before the view runs, so nothing is stored.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

#: room for the side files (policy, trace) and form fields in one request (as the middleware's declared-size check)
SLACK = 64 * 1024 * 1024
REFUSED_ATTR = "appwarden_upload_refused"


def too_large_message(limit: int) -> str:
    """The one-line refusal for a file over ``limit`` bytes."""
    mb = limit / (1024 * 1024)
    return (
        f"文件过大：单个文件不得超过 {mb:g} MB，已拒绝，未保存任何内容 "
        f"file too large: more than {mb:g} MB (limit APPWARDEN_MAX_UPLOAD_MB); nothing was stored"
    )


class LimitedUploadHandler(FileUploadHandler):
    """Pass chunks on to the next handler until one file exceeds ``APPWARDEN_MAX_UPLOAD``; then stop the upload."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.limit = int(settings.APPWARDEN_MAX_UPLOAD)
        self.received = 0
        self.refused = False

    def _refuse(self) -> None:
        self.refused = True
        if self.request is not None:
            setattr(self.request, REFUSED_ATTR, too_large_message(self.limit))
        raise StopUpload(connection_reset=True)

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        """Note a declared body larger than any acceptable request (the files are refused as they start)."""
        if content_length and int(content_length) > self.limit + SLACK:
            self.refused = True
            if self.request is not None:
                setattr(self.request, REFUSED_ATTR, too_large_message(self.limit))
        return None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        if self.refused:
            self._refuse()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self._refuse()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
