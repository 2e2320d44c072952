"""Complaint forms: the public intake form and the staff triage form."""

from django import forms

from appwarden.platform.complaints.models import PRIORITY, STATUS, Complaint
from appwarden.platform.registry.models import App


class PublicComplaintForm(forms.ModelForm):
    class Meta:
        model = Complaint
        fields = [
            "app_name",
            "package",
            "store_name",
            "category",
            "description",
            "reporter_name",
            "reporter_contact",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}


class TriageForm(forms.Form):
    status = forms.ChoiceField(label="状态 Status", choices=STATUS)
    priority = forms.ChoiceField(label="优先级 Priority", choices=PRIORITY)
    app = forms.ModelChoiceField(label="关联应用 App", queryset=App.objects.all(), required=False)
    note = forms.CharField(label="处理意见 Note", widget=forms.Textarea(attrs={"rows": 2}))


class OpenScanForm(forms.Form):
    apk = forms.FileField(label="APK (optional: else the latest stored version)", required=False)
