.class public Lcom/appwarden/rules/consentres/App;
.super Landroid/app/Application;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Application;-><init>()V
    return-void
.end method

# ungated: the only condition is a process check; the consent flag is never read
.method public onCreate()V
    .locals 3
    invoke-super {p0}, Landroid/app/Application;->onCreate()V
    invoke-static {p0}, Lcom/appwarden/rules/consentres/Util;->isMainProcess(Landroid/content/Context;)Z
    move-result v0
    if-eqz v0, :end
    invoke-static {p0}, Lcom/umeng/commonsdk/UMConfigure;->init(Landroid/content/Context;)V
    invoke-static {p0}, Lcom/appwarden/rules/consentres/Host;->imsi(Landroid/content/Context;)V
    :end
    return-void
.end method
