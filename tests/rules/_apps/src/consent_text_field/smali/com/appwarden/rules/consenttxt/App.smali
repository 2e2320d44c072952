.class public Lcom/appwarden/rules/consenttxt/App;
.super Landroid/app/Application;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Application;-><init>()V
    return-void
.end method

# UMeng gated on the flag the (included-layout) dialog's agree handler writes; the host read only behind a
# process check
.method public onCreate()V
    .locals 3
    invoke-super {p0}, Landroid/app/Application;->onCreate()V
    const-string v1, "ua_state"
    const/4 v2, 0x0
    invoke-virtual {p0, v1, v2}, Landroid/content/Context;->getSharedPreferences(Ljava/lang/String;I)Landroid/content/SharedPreferences;
    move-result-object v0
    invoke-interface {v0, v1, v2}, Landroid/content/SharedPreferences;->getBoolean(Ljava/lang/String;Z)Z
    move-result v0
    if-eqz v0, :host
    invoke-static {p0}, Lcom/umeng/commonsdk/UMConfigure;->init(Landroid/content/Context;)V
    :host
    invoke-static {p0}, Lcom/appwarden/rules/consenttxt/Util;->isMainProcess(Landroid/content/Context;)Z
    move-result v0
    if-eqz v0, :end
    invoke-static {p0}, Lcom/appwarden/rules/consenttxt/Host;->imsi(Landroid/content/Context;)V
    :end
    return-void
.end method
