"""Enforcement forms: issue an order, respond, transitions with reasons, notice batches, takedown confirmation."""

from django import forms
from django.conf import settings

from appwarden.platform.enforcement.models import NoticeBatch


def _finding_label(f) -> str:
    """``[高 High] 应用自身 · rule · 标题``: the owner as the order page names it (an SDK by its Chinese name)."""
    from appwarden.report import view

    owner = view.owner_names({}, str(f.owner or "host"))[0]
    return f"[{f.get_severity_display()}] {owner} · {f.rule_id} · {f.title_zh}"


class IssueOrderForm(forms.Form):
    findings = forms.ModelMultipleChoiceField(
        label="确认的问题 Confirmed findings", queryset=None, widget=forms.CheckboxSelectMultiple
    )
    working_days = forms.IntegerField(label="整改期限(工作日) Working days", min_value=1, max_value=365)
    requirements = forms.CharField(
        label="整改要求 Requirements", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.CharField(label="理由 Reason", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, findings=None, **kwargs):
        super().__init__(*args, **kwargs)
        from appwarden.platform.testing.ranking import ranked

        # high → low as on the job and order pages (the queryset's own order was newest first)
        self.fields["findings"].queryset = ranked(findings) if findings is not None else findings
        # one rule may be reported for the app's own code and for an SDK: the label names the owner and the title,
        # so an officer sees which finding is the SDK's before ordering the app to fix it
        self.fields["findings"].label_from_instance = _finding_label
        self.fields["findings"].initial = (
            list(findings.values_list("pk", flat=True)) if findings is not None else []
        )
        self.fields["working_days"].initial = settings.APPWARDEN_RECTIFY_DAYS


class RespondForm(forms.Form):
    explanation = forms.CharField(  # bounded like the API's RespondSerializer
        label="整改说明 Explanation", widget=forms.Textarea(attrs={"rows": 4}), max_length=10000
    )
    apk = forms.FileField(label="整改后的APK Rectified APK", required=False)
    override_reason = forms.CharField(
        label="放行理由(仅监管人员；包名或签名不一致时) Override reason (regulators only)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

    def __init__(self, *args, regulator: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not regulator:
            del self.fields["override_reason"]


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由 Reason", widget=forms.Textarea(attrs={"rows": 2}))


WITHDRAW_REASON_MISSING = "请填写撤出理由（不超过2000字） a reason is required (at most 2,000 characters)"


class WithdrawForm(forms.Form):
    """撤出通报: the written reason (required, at most 2000 characters, as the API's)."""

    reason = forms.CharField(
        label="撤出理由 Reason", max_length=2000, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000})
    )


class RetestForm(ReasonForm):
    policy = forms.FileField(label="隐私政策文本(可选) Privacy policy (optional)", required=False)
    trace = forms.FileField(label="运行时轨迹(可选) Runtime trace JSONL (optional)", required=False)


class EscalateForm(ReasonForm):
    notice = forms.ModelChoiceField(
        label="通报批次 Notice batch", queryset=NoticeBatch.objects.filter(published=False)
    )


class NoticeForm(forms.ModelForm):
    class Meta:
        model = NoticeBatch
        fields = ["title", "number"]


class ConfirmTakedownForm(forms.Form):
    note = forms.CharField(
        label="备注 Note", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


# --- SDK orders (issue #21.1) --------------------------------------------------------------------------------------


class SdkIssueForm(forms.Form):
    """Issue an order to an SDK vendor: its SDKs' confirmed findings (across apps), deadline, reason."""

    findings = forms.ModelMultipleChoiceField(
        label="该厂商SDK的已确认问题 Confirmed findings of the vendor's SDKs",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )
    working_days = forms.IntegerField(label="整改期限(工作日) Working days", min_value=1, max_value=365)
    requirements = forms.CharField(
        label="整改要求 Requirements", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.CharField(label="理由 Reason", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, findings=None, initial_ids=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["findings"]
        field.queryset = findings
        field.label_from_instance = lambda f: (
            f"[{f.get_severity_display()}] {f.owner} · {f.rule_id} · {f.title_zh} — "
            f"{f.app_version.app.name or f.app_version.app.package} ({f.app_version.app.package} "
            f"{f.app_version.version_name or ''})"
        )
        field.initial = list(initial_ids or [])
        self.fields["working_days"].initial = settings.APPWARDEN_RECTIFY_DAYS


class SdkRespondForm(forms.Form):
    explanation = forms.CharField(  # bounded like the API's SdkRespondSerializer
        label="整改说明 Explanation", widget=forms.Textarea(attrs={"rows": 4}), max_length=10000
    )
    new_sdk_version = forms.CharField(label="整改后的SDK版本 Fixed SDK version", max_length=100)
    demo_apk = forms.FileField(label="演示APK(可选，嵌入新版本SDK) Demo APK (optional)", required=False)
