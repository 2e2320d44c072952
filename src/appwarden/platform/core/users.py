"""Platform accounts: create users with a role, change their role / binding / active flag, reset passwords.

One service used by the regulators' user pages (``/users/``) and the ``appwarden platform-user`` command, so both
apply the same rules:

- role ``company`` needs an existing company, role ``store`` an existing store, role ``sdk_vendor`` an existing
  SDK vendor; staff roles are bound to none
  (a binding given for another role is dropped);
- new passwords pass Django's password validators (``AUTH_PASSWORD_VALIDATORS``) unless the caller opts out;
- accounts are never deleted (the audit log keeps pointing at them): they are deactivated;
- at least one active regulator (``role_of`` semantics: profile role regulator, or superuser) always remains,
  and an acting regulator can neither deactivate themself nor drop their own regulator role;
- every change appends one ``AuditLog`` row with the account's access before and after (never a password or a
  hash; a password reset records only that it happened).

Errors are :class:`UserAdminError` (one line, with the form ``field`` it is about).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from appwarden.platform.core import audit, lockout, tokens
from appwarden.platform.core.errors import PlatformError
from appwarden.platform.core.models import (
    ROLE_CHOICES,
    ROLE_COMPANY,
    ROLE_REGULATOR,
    ROLE_SDK_VENDOR,
    ROLE_STORE,
    Profile,
)

ROLES = tuple(value for value, _ in ROLE_CHOICES)


class UserAdminError(PlatformError):
    """A user-management request that breaks a rule; ``field`` names the form field it is about (or ``None``)."""

    code = "user"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def binding(
    role: str, company: Any = None, store: Any = None, sdk_vendor: Any = None
) -> tuple[Any, Any, Any]:
    """The ``(company, store, sdk_vendor)`` a user with ``role`` is bound to.

    ``company`` / ``store`` / ``sdk_vendor`` are model instances, primary keys or ``None``. Raises
    :class:`UserAdminError` for an unknown role or a company / store / SDK vendor role without an existing
    company / store / SDK vendor. The bindings that do not belong to the role are returned as ``None``.
    """
    from appwarden.platform.registry.models import Company, SdkVendor, Store

    if role not in ROLES:
        raise UserAdminError(f"unknown role {role!r} (use {'/'.join(ROLES)})", "role")
    if role == ROLE_COMPANY:
        return (
            _existing(Company, company, "company", "企业用户必须绑定企业 role company needs a company"),
            None,
            None,
        )
    if role == ROLE_STORE:
        return (
            None,
            _existing(Store, store, "store", "商店用户必须绑定应用商店 role store needs a store"),
            None,
        )
    if role == ROLE_SDK_VENDOR:
        return (
            None,
            None,
            _existing(
                SdkVendor,
                sdk_vendor,
                "sdk_vendor",
                "SDK厂商用户必须绑定SDK厂商 role sdk_vendor needs an SDK vendor",
            ),
        )
    return None, None, None


def _existing(model: Any, value: Any, field: str, message: str) -> Any:
    pk = getattr(value, "pk", value)
    obj = model.objects.filter(pk=pk).first() if pk else None
    if obj is None:
        raise UserAdminError(message, field)
    return obj


def check_password(password: str, user: Any) -> None:
    """Raise :class:`UserAdminError` (field ``password``) unless ``password`` passes the configured validators."""
    if not password:
        raise UserAdminError("请输入密码 a password is required", "password")
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise UserAdminError(" ".join(exc.messages), "password") from None


def check_username(username: str) -> str:
    """The stripped ``username`` if it is well formed and not taken (case-insensitively); else UserAdminError."""
    username = (username or "").strip()
    if not username or len(username) > 150:
        raise UserAdminError("用户名长度为1–150 a username has 1–150 characters", "username")
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as exc:
        raise UserAdminError(" ".join(exc.messages), "username") from None
    if get_user_model().objects.filter(username__iexact=username).exists():
        raise UserAdminError(f"用户名已存在 the username {username!r} is taken", "username")
    return username


def access(user: Any) -> dict[str, Any]:
    """What the audit log records about an account: username, role, binding, active and superuser flags."""
    profile = Profile.objects.filter(user=user).first()
    return {
        "username": user.username,
        "role": ROLE_REGULATOR if user.is_superuser else (profile.role if profile else None),
        "company_id": profile.company_id if profile else None,
        "store_id": profile.store_id if profile else None,
        "sdk_vendor_id": profile.sdk_vendor_id if profile else None,
        "is_active": user.is_active,
        "is_superuser": user.is_superuser,
    }


def _audit(action: str, user: Any, before: dict[str, Any] | None, actor: Any, reason: str = "") -> None:
    audit.record(action, user, actor=actor, reason=reason, data={"before": before, "after": access(user)})


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str,
    role: str,
    company: Any = None,
    store: Any = None,
    sdk_vendor: Any = None,
    actor: Any = None,
    validate_password: bool = True,
) -> Any:
    """Create an active account with ``role`` and its binding; return the user.

    Raises :class:`UserAdminError` for a malformed or taken username, a weak password (when
    ``validate_password``) or a wrong binding. Audited as ``user_create`` by ``actor`` (default: the current
    actor).
    """
    username = check_username(username)
    company, store, sdk_vendor = binding(role, company, store, sdk_vendor)
    user = get_user_model()(username=username)
    if validate_password:
        check_password(password, user)
    user.set_password(password)
    user.save()
    Profile.objects.create(user=user, role=role, company=company, store=store, sdk_vendor=sdk_vendor)
    _audit("user_create", user, None, actor)
    return user


def _active_regulators() -> Any:
    """Active accounts whose effective role is regulator."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(profile__role=ROLE_REGULATOR))
    )


def _lock_regulators() -> None:
    """Serialise changes that could remove a regulator (row locks until commit; a no-op on SQLite)."""
    list(Profile.objects.select_for_update().filter(role=ROLE_REGULATOR).values_list("pk", flat=True))
    list(get_user_model().objects.select_for_update().filter(is_superuser=True).values_list("pk", flat=True))


def _check_keeps_regulator(user: Any, role: str, is_active: bool, actor: Any) -> None:
    stays = is_active and (role == ROLE_REGULATOR or user.is_superuser)
    if stays:
        return
    if actor is not None and getattr(actor, "pk", None) == user.pk:
        raise UserAdminError(
            "不能停用自己或取消自己的监管人员角色 you cannot deactivate yourself or drop your own regulator role",
            "is_active" if not is_active else "role",
        )
    if not _active_regulators().exclude(pk=user.pk).exists():
        raise UserAdminError(
            "至少需要保留一名启用的监管人员 at least one active regulator must remain", "role"
        )


@transaction.atomic
def change_access(
    user: Any,
    *,
    role: str | None = None,
    company: Any = None,
    store: Any = None,
    sdk_vendor: Any = None,
    is_active: bool | None = None,
    actor: Any = None,
    reason: str = "",
) -> Any:
    """Set ``user``'s role and binding (when ``role`` is given) and/or active flag (when ``is_active`` is given).

    Refuses (:class:`UserAdminError`) a wrong binding, changing a superuser's role (always a regulator), an actor
    deactivating themself or dropping their own regulator role, and any change that leaves no active regulator.
    Audited as ``user_update`` / ``user_deactivate`` / ``user_reactivate`` with before and after; returns the
    user (unchanged and unaudited when nothing differs).
    """
    _lock_regulators()
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    profile = Profile.objects.filter(user=user).first()
    before = access(user)
    new_role = role if role is not None else (profile.role if profile else None)
    if role is not None:
        if user.is_superuser and role != ROLE_REGULATOR:
            raise UserAdminError("超级用户始终是监管人员 a superuser is always a regulator", "role")
        company, store, sdk_vendor = binding(role, company, store, sdk_vendor)
    active = user.is_active if is_active is None else is_active
    if before["role"] == ROLE_REGULATOR and before["is_active"]:
        _check_keeps_regulator(user, new_role or "", active, actor)
    if role is not None:
        Profile.objects.update_or_create(
            user=user,
            defaults={"role": role, "company": company, "store": store, "sdk_vendor": sdk_vendor},
        )
    if active != user.is_active:
        user.is_active = active
        user.save(update_fields=["is_active"])
    after = access(user)
    if after != before:
        action = (
            "user_update"
            if before["is_active"] == active
            else ("user_reactivate" if active else "user_deactivate")
        )
        audit.record(action, user, actor=actor, reason=reason, data={"before": before, "after": after})
    return user


@transaction.atomic
def reset_password(user: Any, password: str, *, actor: Any = None, validate_password: bool = True) -> None:
    """Set a new password for ``user`` (validated unless ``validate_password`` is false).

    Lifts any login lockout of the account (``core/lockout.py``) and revokes its API tokens (audited as
    ``token_revoke``): a reset is what a regulator does when an account may be in other hands, and its sessions end
    with the old password already. Audited as ``user_password`` with no password material, only the account's access.
    """
    if validate_password:
        check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    lockout.unlock(user.username, actor=actor)
    tokens.revoke_all(user)
    before = access(user)
    audit.record(
        "user_password",
        user,
        actor=actor,
        data={"before": before, "after": before, "changed": ["password"]},
    )


@transaction.atomic
def ensure_user(
    username: str,
    *,
    role: str,
    company: Any = None,
    store: Any = None,
    sdk_vendor: Any = None,
    password: str,
    actor: Any = None,
) -> Any:
    """Create ``username`` or update its role, binding and password (the ``platform-user`` command).

    The binding is checked as for :func:`create_user`; the password is not run through the validators (the
    operator chose it on the command line, as scripted set-ups do). Returns the user.
    """
    existing = get_user_model().objects.filter(username=username).first()
    if existing is None:
        return create_user(
            username=username,
            password=password,
            role=role,
            company=company,
            store=store,
            sdk_vendor=sdk_vendor,
            actor=actor,
            validate_password=False,
        )
    change_access(existing, role=role, company=company, store=store, sdk_vendor=sdk_vendor, actor=actor)
    if not existing.check_password(password):  # a re-run of the same set-up keeps the account's tokens
        reset_password(existing, password, actor=actor, validate_password=False)
    return existing


__all__ = [
    "ROLES",
    "UserAdminError",
    "access",
    "binding",
    "change_access",
    "check_password",
    "check_username",
    "create_user",
    "ensure_user",
    "reset_password",
]
