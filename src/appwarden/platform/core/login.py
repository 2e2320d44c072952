"""The web login under the lockout policy (``core/lockout.py``): the same counter as ``POST /api/token/``."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from appwarden.platform.core import lockout


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, authenticating through :func:`lockout.login` (locked → a ``locked`` form error)."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = lockout.login(self.request, username, password)
            except lockout.LockedOut as exc:
                raise ValidationError(str(exc), code="locked") from None
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    @property
    def locked(self) -> bool:
        """Whether the form was refused because of a lockout."""
        return any(e.code == "locked" for e in self.errors.as_data().get("__all__", []))


class LoginView(auth_views.LoginView):
    """``/login/``: a locked-out attempt answers HTTP 429 with the lockout message on the form."""

    template_name = "login.html"
    authentication_form = ThrottledAuthenticationForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.locked:
            response.status_code = 429
        return response
