"""Registry forms (staff)."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
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
        labels = {"store": "应用商店 Store", "app": "应用 App"}
        error_messages = {
            NON_FIELD_ERRORS: {
                "unique_together": "该应用在此应用商店已有上架记录，不能重复新建 "
                "this app already has a listing in this store"
            }
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self._refused = False
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
                self._refused = True
                raise forms.ValidationError(str(exc)) from None
        return data

    def validate_unique(self):
        """A 停止接入 refusal is the one line the officer needs: no duplicate-listing line under it."""
        if not self._refused:
            super().validate_unique()


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
