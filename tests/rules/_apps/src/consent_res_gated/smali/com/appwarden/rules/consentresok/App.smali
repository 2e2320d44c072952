.class public Lcom/appwarden/rules/consentresok/App;
.super Landroid/app/Application;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Application;-><init>()V
    return-void
.end method

# gated: the SDK and the host read start only when the flag the agree handler writes is set
.method public onCreate()V
    .locals 3
    invoke-super {p0}, Landroid/app/Application;->onCreate()V
    const-string v1, "ua_state"
    const/4 v2, 0x0
    invoke-virtual {p0, v1, v2}, Landroid/content/Context;->getSharedPreferences(Ljava/lang/String;I)Landroid/content/SharedPreferences;
    move-result-object v0
    invoke-interface {v0, v1, v2}, Landroid/content/SharedPreferences;->getBoolean(Ljava/lang/String;Z)Z
    move-result v0
    if-eqz v0, :end
    invoke-static {p0}, Lcom/umeng/commonsdk/UMConfigure;->init(Landroid/content/Context;)V
    invoke-static {p0}, Lcom/appwarden/rules/consentresok/Host;->imsi(Landroid/content/Context;)V
    :end
    return-void
.end method
