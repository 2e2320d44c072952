"""Testing forms: APK upload, batch creation, finding review."""

from django import forms

from appwarden.platform.registry.models import Company
from appwarden.platform.testing import categories
from appwarden.platform.testing.models import REVIEW_ACTIONS, SEVERITY, Batch


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field accepting several files; ``clean`` returns a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    file = MultipleFileField(label="APK 文件 APK file(s) — 可多选 several at once for a batch")
    policy = forms.FileField(label="隐私政策 Privacy policy (optional)", required=False)
    trace = forms.FileField(label="运行轨迹 Runtime trace (optional)", required=False)
    category = forms.ChoiceField(
        label="应用类型 Category (39类, optional)", required=False, choices=categories.choices
    )
    batch = forms.ModelChoiceField(label="检测批次 Batch", queryset=Batch.objects.all(), required=False)
    company = forms.ModelChoiceField(label="开发者 Company", queryset=Company.objects.all(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].error_messages["invalid_choice"] = (
            "未知的应用类型 %(value)s：请从39类中选择 unknown app category: choose one of the 39 types"
        )


class BatchForm(forms.ModelForm):
    class Meta:
        model = Batch
        fields = ["name", "description"]


class ReviewForm(forms.Form):
    action = forms.ChoiceField(choices=REVIEW_ACTIONS)
    reason = forms.CharField(label="理由 Reason", widget=forms.Textarea(attrs={"rows": 2}))
    severity = forms.ChoiceField(label="严重程度 Severity", choices=[("", "—"), *SEVERITY], required=False)
    title_zh = forms.CharField(label="标题 Title", required=False, max_length=300)
    clauses = forms.CharField(label="条款 Clauses (comma-separated)", required=False)

    def changes(self) -> dict:
        data = self.cleaned_data
        out = {}
        for field in ("severity", "title_zh", "clauses"):
            if data.get(field):
                out[field] = data[field]
        return out
