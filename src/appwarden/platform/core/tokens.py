"""API tokens stored hashed.

A token is 32 random bytes (``secrets.token_urlsafe``, 43 characters). The database keeps only its SHA-256 hex
digest (:class:`~appwarden.platform.core.models.ApiToken`): a stolen database or backup yields no usable token.
A plain hash (no salt, no slow KDF) is enough because the token has 256 bits of entropy; it also lets a request
find its token with one indexed lookup.

Clients send ``Authorization: Token <token>`` as before. :func:`issue` returns the token once; it cannot be
shown again, so ``POST /api/token/`` and ``appwarden platform-user --token`` issue a new one on every call
(earlier tokens stay valid until the account is deactivated, its password is reset or its tokens are revoked).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from appwarden.platform.core import audit
from appwarden.platform.core.models import ApiToken


def digest(token: str) -> str:
    """The SHA-256 hex digest the database keeps for ``token``."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue(user: Any, name: str = "") -> str:
    """Create a token for ``user``; return it (the only time it is available in clear)."""
    token = secrets.token_urlsafe(32)
    row = ApiToken.objects.create(user=user, digest=digest(token), name=name[:64])
    audit.record("token_issue", user, data={"token_id": row.pk, "name": row.name})
    return token


def revoke_all(user: Any) -> int:
    """Delete every token of ``user``; return how many there were."""
    count, _ = ApiToken.objects.filter(user=user).delete()
    if count:
        audit.record("token_revoke", user, data={"revoked": count})
    return count


def user_for(token: str) -> Any | None:
    """The active user owning ``token``, else ``None``."""
    row = ApiToken.objects.select_related("user").filter(digest=digest(token)).first()
    if row is None or not row.user.is_active:
        return None
    return row.user


class HashedTokenAuthentication(TokenAuthentication):
    """DRF authentication for ``Authorization: Token <token>`` against the hashed tokens."""

    def authenticate_credentials(self, key: str):
        row = ApiToken.objects.select_related("user").filter(digest=digest(key)).first()
        if row is None:
            raise exceptions.AuthenticationFailed("令牌无效 invalid token")
        if not row.user.is_active:
            raise exceptions.AuthenticationFailed("用户已停用 user inactive or deleted")
        from appwarden.platform.core import audit

        # every API view's changes are the token user's, not only those of the scoped viewsets
        audit.set_actor(row.user)
        return (row.user, row)
