from django import forms

from appwarden.platform.testing.categories import choices


class SelfAssessmentForm(forms.Form):
    apk = forms.FileField(label="安装包 APK")
    policy = forms.FileField(label="隐私政策 Privacy policy (optional: HTML/text/PDF)", required=False)
    category = forms.ChoiceField(label="应用类型 App category (39类)", required=False, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = choices()
