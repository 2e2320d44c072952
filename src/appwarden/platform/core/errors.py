"""Platform errors: members of the ``appwarden.errors`` family with one-line messages."""

from __future__ import annotations

from appwarden.errors import AppwardenError


class PlatformError(AppwardenError):
    """A predictable platform failure shown to the user as one line."""

    code = "platform"
    http_status = 400


class UploadError(PlatformError):
    """An uploaded file was refused (not an APK, too large, duplicate, unreadable)."""

    code = "upload"


class DuplicateUpload(UploadError):
    """The same APK (and inputs) was already scanned with the same engine and rules versions."""

    code = "duplicate"
    http_status = 409

    def __init__(self, message: str, job_id: int | None = None) -> None:
        super().__init__(message)
        self.job_id = job_id


class TransitionError(PlatformError):
    """An enforcement transition that the state machine or the role does not allow."""

    code = "transition"
    http_status = 409


class RoleError(PlatformError):
    """The user's role may not perform this action."""

    code = "forbidden"
    http_status = 403
