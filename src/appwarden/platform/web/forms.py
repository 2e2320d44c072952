"""Forms of the regulators' user pages; the rules themselves live in ``core/users.py``."""

from __future__ import annotations

from django import forms

from appwarden.platform.core.models import ROLE_CHOICES
from appwarden.platform.registry.models import Company, SdkVendor, Store


def _company_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Company.objects.order_by("name"),
        required=False,
        label="企业 Company（企业用户必填 required for role company）",
    )


def _store_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Store.objects.order_by("name"),
        required=False,
        label="应用商店 Store（商店用户必填 required for role store）",
    )


def _sdk_vendor_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=SdkVendor.objects.order_by("name"),
        required=False,
        label="SDK厂商 SDK vendor（SDK厂商用户必填 required for role sdk_vendor）",
    )


class AccessForm(forms.Form):
    """Role and binding of an account."""

    role = forms.ChoiceField(label="角色 Role", choices=ROLE_CHOICES)
    company = _company_field()
    store = _store_field()
    sdk_vendor = _sdk_vendor_field()


class PasswordForm(forms.Form):
    """A new password (checked by the service against the password validators)."""

    password = forms.CharField(
        label="新密码 New password", strip=False, widget=forms.PasswordInput(render_value=False)
    )


class UserCreateForm(forms.Form):
    """Username, initial password, role and binding of a new account."""

    username = forms.CharField(label="用户名 Username", max_length=150)
    password = forms.CharField(
        label="初始密码 Initial password", strip=False, widget=forms.PasswordInput(render_value=False)
    )
    role = forms.ChoiceField(label="角色 Role", choices=ROLE_CHOICES)
    company = _company_field()
    store = _store_field()
    sdk_vendor = _sdk_vendor_field()
