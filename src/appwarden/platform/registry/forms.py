"""Registry forms (staff)."""

from django import forms
from django.db import models

from appwarden.platform.registry.models import App, Company, Contact, SdkVendor, Store, StoreListing


def _formfield(field: models.Field, **kwargs):
    """URLs without a scheme are read as https (the Django 6 default, set explicitly)."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class CompanyForm(forms.ModelForm):
    class Meta:
        model = Company
        formfield_callback = _formfield
        fields = ["name", "credit_code", "address", "website"]


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        formfield_callback = _formfield
        fields = ["company", "name", "title", "phone", "email"]


class AppForm(forms.ModelForm):
    class Meta:
        model = App
        formfield_callback = _formfield
        fields = ["package", "name", "company"]


class StoreForm(forms.ModelForm):
    class Meta:
        model = Store
        formfield_callback = _formfield
        fields = ["name", "website", "contact_email"]


class ListingForm(forms.ModelForm):
    class Meta:
        model = StoreListing
        formfield_callback = _formfield
        fields = ["store", "app", "url", "active"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self._was_on_sale = (
            (self.instance.app_id, self.instance.store_id)
            if self.instance.pk and self.instance.active
            else None
        )

    def clean(self):
        """A 停止接入 measure in force refuses a new active listing of its company's app in a store it bars, or
        making one active again (``sanctions.services.check_listing``; the refusal is audited)."""
        from appwarden.platform.sanctions.services import StopAccessError, check_listing

        data = super().clean()
        app, store = data.get("app"), data.get("store")
        on_sale = data.get("active") and app is not None and store is not None
        if on_sale and self._was_on_sale != (app.pk, store.pk):
            try:
                check_listing(app, store, user=self.user, via="web")
            except StopAccessError as exc:
                raise forms.ValidationError(str(exc)) from None
        return data


class SdkVendorForm(forms.ModelForm):
    sdk_ids = forms.CharField(
        label="SDK 标识 SDK ids", required=False, help_text="comma-separated knowledge-base SDK ids"
    )

    class Meta:
        model = SdkVendor
        formfield_callback = _formfield
        fields = ["name", "company", "sdk_ids", "contact_email"]

    def clean_sdk_ids(self):
        raw = self.cleaned_data.get("sdk_ids") or ""
        if isinstance(raw, list):
            return raw
        return [s.strip() for s in raw.split(",") if s.strip()]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and isinstance(self.instance.sdk_ids, list):
            self.initial["sdk_ids"] = ", ".join(self.instance.sdk_ids)
