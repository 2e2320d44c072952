"""Regulators' user pages: list, create, change role/binding, deactivate/reactivate, reset password.

Only regulators (and superusers) may open them (others 403, anonymous users go to the login page). Every POST
is CSRF-protected and goes through ``core/users.py``, which applies the rules and writes the audit rows.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from appwarden.platform.core import lockout, tokens, users
from appwarden.platform.core.models import ROLE_CHOICES, ROLE_REGULATOR, ApiToken, Profile
from appwarden.platform.core.views import role_required
from appwarden.platform.web.forms import AccessForm, PasswordForm, UserCreateForm

ROLE_LABELS = dict(ROLE_CHOICES)


def _users_with_role(role: str) -> Q:
    """Accounts whose effective role is ``role`` (superusers are regulators)."""
    if role == ROLE_REGULATOR:
        return Q(is_superuser=True) | Q(profile__role=role)
    return Q(is_superuser=False, profile__role=role)


def _row(user: Any) -> dict[str, Any]:
    """What the pages show about an account (``user`` may come with ``profile`` pre-selected)."""
    try:
        profile = user.profile
    except Profile.DoesNotExist:
        profile = None
    role = ROLE_REGULATOR if user.is_superuser else (profile.role if profile else None)
    return {
        "user": user,
        "role": role,
        "role_label": ROLE_LABELS.get(role, "无角色 no role"),
        "company": profile.company if profile else None,
        "store": profile.store if profile else None,
        "sdk_vendor": profile.sdk_vendor if profile else None,
    }


def _apply_errors(form: forms.Form, exc: users.UserAdminError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


@role_required(ROLE_REGULATOR)
def user_list(request: HttpRequest) -> HttpResponse:
    """``/users/``: accounts by username; ``?role=`` filters by effective role, ``?q=`` searches usernames."""
    qs = (
        get_user_model()
        .objects.select_related("profile__company", "profile__store", "profile__sdk_vendor")
        .order_by("username")
    )
    role = request.GET.get("role", "")
    if role in ROLE_LABELS:
        qs = qs.filter(_users_with_role(role))
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(username__icontains=q)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": [_row(u) for u in page],
        "roles": ROLE_CHOICES,
        "role_filter": role,
        "q": q,
    }
    return render(request, "web/users/user_list.html", context)


@role_required(ROLE_REGULATOR)
def user_new(request: HttpRequest) -> HttpResponse:
    """``/users/new/``: create an account (POST), or show the form (GET / invalid POST)."""
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = users.create_user(**form.cleaned_data, actor=request.user)
        except users.UserAdminError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"已创建用户 user {user.username} created")
            return redirect("web:user_edit", pk=user.pk)
    return render(request, "web/users/user_new.html", {"form": form})


def _edit_page(request: HttpRequest, user: Any, **forms_: forms.Form) -> HttpResponse:
    row = _row(user)
    initial = {
        "role": row["role"],
        "company": row["company"],
        "store": row["store"],
        "sdk_vendor": row["sdk_vendor"],
    }
    context = {
        "row": row,
        "target": user,
        "access_form": forms_.get("access_form") or AccessForm(initial=initial),
        "password_form": forms_.get("password_form") or PasswordForm(),
        "login_locks": lockout.locks_for(user.username),
        "token_count": ApiToken.objects.filter(user=user).count(),
    }
    return render(request, "web/users/user_edit.html", context)


@role_required(ROLE_REGULATOR)
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """``/users/<pk>/``: show the account; POST changes its role and binding."""
    user = get_object_or_404(get_user_model(), pk=pk)
    if request.method != "POST":
        return _edit_page(request, user)
    form = AccessForm(request.POST)
    if form.is_valid():
        try:
            users.change_access(user, **form.cleaned_data, actor=request.user)
        except users.UserAdminError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"已保存 saved {user.username}")
            return redirect("web:user_edit", pk=user.pk)
    return _edit_page(request, user, access_form=form)


@role_required(ROLE_REGULATOR)
@require_POST
def user_active(request: HttpRequest, pk: int) -> HttpResponse:
    """``POST /users/<pk>/active/`` with ``active=1`` (reactivate) or ``active=0`` (deactivate)."""
    user = get_object_or_404(get_user_model(), pk=pk)
    active = request.POST.get("active") == "1"
    try:
        users.change_access(user, is_active=active, actor=request.user)
    except users.UserAdminError as exc:
        messages.error(request, str(exc))
    else:
        done = "已启用 reactivated" if active else "已停用 deactivated"
        messages.success(request, f"{done} {user.username}")
    return redirect("web:user_edit", pk=user.pk)


@role_required(ROLE_REGULATOR)
@require_POST
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    """``POST /users/<pk>/password/``: set a new password (validated); keeps the regulator's own session."""
    user = get_object_or_404(get_user_model(), pk=pk)
    form = PasswordForm(request.POST)
    if form.is_valid():
        try:
            users.reset_password(user, form.cleaned_data["password"], actor=request.user)
        except users.UserAdminError as exc:
            _apply_errors(form, exc)
        else:
            if user.pk == request.user.pk:
                update_session_auth_hash(request, user)
            messages.success(request, f"已重置密码 password reset for {user.username}")
            return redirect("web:user_edit", pk=user.pk)
    return _edit_page(request, user, password_form=form)


@role_required(ROLE_REGULATOR)
@require_POST
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    """``POST /users/<pk>/unlock/``: lift the account's login lockouts (every address; core/lockout.py)."""
    user = get_object_or_404(get_user_model(), pk=pk)
    count = lockout.unlock(user.username, actor=request.user)
    messages.success(request, f"已解除登录锁定 {count} 处 lifted {count} login lock(s) of {user.username}")
    return redirect("web:user_edit", pk=user.pk)


@role_required(ROLE_REGULATOR)
@require_POST
def user_tokens_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """``POST /users/<pk>/tokens/revoke/``: delete every API token of the account (audited ``token_revoke``)."""
    user = get_object_or_404(get_user_model(), pk=pk)
    count = tokens.revoke_all(user)
    messages.success(request, f"已吊销 API 令牌 {count} 个 revoked {count} API token(s) of {user.username}")
    return redirect("web:user_edit", pk=user.pk)
