"""Registry: companies (统一社会信用代码) and contacts, apps and versions, stores and listings, SDK vendors."""

from __future__ import annotations

from django.db import models

from appwarden.platform.registry.validators import validate_credit_code


class Company(models.Model):
    """An app developer/operator (应用开发者/运营者)."""

    name = models.CharField("企业名称 Name", max_length=200)
    credit_code = models.CharField(
        "统一社会信用代码 Credit code", max_length=18, unique=True, validators=[validate_credit_code]
    )
    address = models.CharField("地址 Address", max_length=300, blank=True)
    website = models.URLField("网站 Website", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    COMPANY_PATH = "id"

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField("姓名 Name", max_length=100)
    title = models.CharField("职务 Title", max_length=100, blank=True)
    phone = models.CharField("电话 Phone", max_length=40, blank=True)
    email = models.EmailField("邮箱 Email", blank=True)

    COMPANY_PATH = "company"

    def __str__(self) -> str:
        return f"{self.name} ({self.company})"


class SdkVendor(models.Model):
    """A third-party SDK vendor; ``sdk_ids`` are knowledge-base SDK ids (the ``owner`` of findings)."""

    name = models.CharField("厂商名称 Vendor", max_length=200, unique=True)
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.SET_NULL)
    sdk_ids = models.JSONField("SDK 标识 SDK ids", default=list, blank=True)
    contact_email = models.EmailField("联系邮箱 Contact", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class App(models.Model):
    """An app identified by its package name; the company is set when known."""

    package = models.CharField("包名 Package", max_length=255, unique=True)
    name = models.CharField("应用名称 Name", max_length=200, blank=True)
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="apps"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    COMPANY_PATH = "company"
    STORE_PATH = "listings__store"

    class Meta:
        ordering = ["package"]

    def __str__(self) -> str:
        return f"{self.name or self.package} ({self.package})"


# How a version's signer relates to the app's established signers (recorded at ingest, docs/platform.md "Builds
# signed by another key"): the signers of the versions already attributed to the app (the first version with a
# signer establishes it), a verified v3 key rotation from one of them, or neither. A ``foreign`` build merely
# carries the package name: it is not counted against the app's company and is not the company's version.
SIGNER_OWN, SIGNER_ROTATED, SIGNER_FOREIGN, SIGNER_UNKNOWN = "own", "rotated", "foreign", "unknown"
SIGNER_RELATIONS = [
    (SIGNER_OWN, "该应用签名 App's own signer"),
    (SIGNER_ROTATED, "已验证的密钥轮换 Verified key rotation"),
    (SIGNER_FOREIGN, "签名与该应用不一致 Another signer"),
    (SIGNER_UNKNOWN, "无签名 No signer"),
]


def attributed(prefix: str = "") -> models.Q:
    """The rows whose version is attributed to its app (not ``foreign``); ``prefix`` is the path to the version,
    e.g. ``"app_version__"``. A row without a version passes."""
    return ~models.Q(**{f"{prefix}signer_relation": SIGNER_FOREIGN})


class AppVersion(models.Model):
    """One APK (by sha256) of an app: version, signer certificate, and how that signer relates to the app's."""

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="versions")
    sha256 = models.CharField(max_length=64, unique=True)
    version_name = models.CharField("版本 Version", max_length=100, blank=True)
    version_code = models.BigIntegerField("版本号 Version code", null=True, blank=True)
    label = models.CharField("显示名称 Label", max_length=200, blank=True)
    signer_subject = models.CharField("签名证书主体 Signer", max_length=500, blank=True)
    signer_sha256 = models.CharField("签名证书指纹 Signer SHA-256", max_length=64, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    first_seen = models.DateTimeField(auto_now_add=True)
    signer_relation = models.CharField(
        "签名归属 Signer relation", max_length=8, choices=SIGNER_RELATIONS, default=SIGNER_OWN, db_index=True
    )

    COMPANY_PATH = "app__company"
    STORE_PATH = "app__listings__store"

    class Meta:
        ordering = ["-first_seen", "-id"]

    @staticmethod
    def scope_company(qs):
        """A company does not see builds of another signer as its versions."""
        return qs.filter(attributed())

    @staticmethod
    def scope_store(qs):
        """Nor does a store see one as a version of an app listed with it (its own pre-listing check of such a
        build still shows that check's result: ``PrelistingCheck`` is scoped by its store, not by the version)."""
        return qs.filter(attributed())

    @property
    def foreign(self) -> bool:
        return self.signer_relation == SIGNER_FOREIGN

    def __str__(self) -> str:
        return f"{self.app.name or self.app.package} {self.version_name or '?'}"


class Store(models.Model):
    """An app store / distribution platform (应用分发平台)."""

    name = models.CharField("商店名称 Store", max_length=200, unique=True)
    website = models.URLField("网站 Website", blank=True)
    contact_email = models.EmailField("联系邮箱 Contact", blank=True)

    STORE_PATH = "id"

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StoreListing(models.Model):
    """An app listed in a store (上架); takedown orders go to the stores of active listings."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="listings")
    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="listings")
    url = models.URLField("链接 URL", blank=True)
    active = models.BooleanField("在架 Listed", default=True)
    listed_at = models.DateTimeField(auto_now_add=True)

    COMPANY_PATH = "app__company"
    STORE_PATH = "store"

    class Meta:
        unique_together = [("store", "app")]
        ordering = ["store__name"]

    def __str__(self) -> str:
        return f"{self.app} @ {self.store}"
