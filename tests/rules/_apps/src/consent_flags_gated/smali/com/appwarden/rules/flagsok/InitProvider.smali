.class public Lcom/appwarden/rules/flagsok/InitProvider;
.super Landroid/content/ContentProvider;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/content/ContentProvider;-><init>()V
    return-void
.end method

# gated: a string flag through TextUtils.equals(getString("agree_state", "false"), "true"), early return
.method public onCreate()Z
    .locals 4
    invoke-virtual {p0}, Landroid/content/ContentProvider;->getContext()Landroid/content/Context;
    move-result-object v0
    const-string v1, "app"
    const/4 v2, 0x0
    invoke-virtual {v0, v1, v2}, Landroid/content/Context;->getSharedPreferences(Ljava/lang/String;I)Landroid/content/SharedPreferences;
    move-result-object v1
    const-string v2, "agree_state"
    const-string v3, "false"
    invoke-interface {v1, v2, v3}, Landroid/content/SharedPreferences;->getString(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;
    move-result-object v1
    const-string v2, "true"
    invoke-static {v1, v2}, Landroid/text/TextUtils;->equals(Ljava/lang/CharSequence;Ljava/lang/CharSequence;)Z
    move-result v1
    if-nez v1, :init
    const/4 v1, 0x1
    return v1
    :init
    invoke-static {v0}, Lcom/igexin/sdk/PushManager;->initialize(Landroid/content/Context;)V
    const/4 v1, 0x1
    return v1
.end method
