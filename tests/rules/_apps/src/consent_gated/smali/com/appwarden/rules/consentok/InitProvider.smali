.class public Lcom/appwarden/rules/consentok/InitProvider;
.super Landroid/content/ContentProvider;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/content/ContentProvider;-><init>()V
    return-void
.end method

.method public onCreate()Z
    .locals 2
    invoke-virtual {p0}, Landroid/content/ContentProvider;->getContext()Landroid/content/Context;
    move-result-object v0
    invoke-static {v0}, Lcom/appwarden/rules/consentok/PrivacyUtil;->isAgreed(Landroid/content/Context;)Z
    move-result v1
    if-nez v1, :init
    const/4 v1, 0x1
    return v1
    :init
    invoke-static {v0}, Lcom/igexin/sdk/PushManager;->initialize(Landroid/content/Context;)V
    const/4 v1, 0x1
    return v1
.end method
