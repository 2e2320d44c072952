"""Complaint forms: the public intake form and the staff triage form."""

from django import forms

from appwarden.platform.complaints.models import PRIORITY, STATUS, Complaint
from appwarden.platform.registry.models import App

DESCRIPTION_MAX = 5000  # the anonymous description's bound (characters; the model's TextField has none)


class PublicComplaintForm(forms.ModelForm):
    description = forms.CharField(
        label=Complaint._meta.get_field("description").verbose_name,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

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
            "contact_consent",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}


class TriageForm(forms.Form):
    status = forms.ChoiceField(label="状态 Status", choices=STATUS)
    priority = forms.ChoiceField(label="优先级 Priority", choices=PRIORITY)
    app = forms.ModelChoiceField(label="关联应用 App", queryset=App.objects.all(), required=False)
    note = forms.CharField(label="处理意见 Note", widget=forms.Textarea(attrs={"rows": 2}))


class OpenScanForm(forms.Form):
    apk = forms.FileField(label="APK (optional: else the latest stored version)", required=False)


class ForwardForm(forms.Form):
    """Staff: forward a triaged complaint to the company of its linked app (投诉转办)."""

    instructions = forms.CharField(
        label="转办意见 Instructions", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    working_days = forms.IntegerField(
        label="答复期限(工作日) Working days", min_value=1, max_value=60, required=False
    )


class AnswerForm(forms.Form):
    """Company: answer a forwarded complaint (text + optional attachment)."""

    text = forms.CharField(
        label="答复内容 Answer", widget=forms.Textarea(attrs={"rows": 5}), max_length=20000
    )
    attachment = forms.FileField(label="附件 Attachment (optional, ≤ 20 MB)", required=False)


class DecisionForm(forms.Form):
    """Staff: accept the company's answer or send it back (with a reason)."""

    decision = forms.ChoiceField(
        label="处理 Decision",
        choices=[("accept", "采纳并办结 Accept"), ("send_back", "退回重新答复 Send back")],
    )
    note = forms.CharField(label="审核意见 Note", widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    working_days = forms.IntegerField(
        label="重新答复期限(工作日，退回时) Working days (send back)",
        min_value=1,
        max_value=60,
        required=False,
    )
