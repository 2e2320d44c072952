.class public Lcom/appwarden/rules/flagsok/App;
.super Landroid/app/Application;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Application;-><init>()V
    return-void
.end method

.method public onCreate()V
    .locals 0
    invoke-super {p0}, Landroid/app/Application;->onCreate()V
    invoke-direct {p0}, Lcom/appwarden/rules/flagsok/App;->initHost()V
    invoke-direct {p0}, Lcom/appwarden/rules/flagsok/App;->initUmeng()V
    return-void
.end method

# gated: an int flag, getInt("privacy_state", 0) == 1
.method private initHost()V
    .locals 3
    const-string v1, "app"
    const/4 v2, 0x0
    invoke-virtual {p0, v1, v2}, Landroid/content/Context;->getSharedPreferences(Ljava/lang/String;I)Landroid/content/SharedPreferences;
    move-result-object v1
    const-string v0, "privacy_state"
    invoke-interface {v1, v0, v2}, Landroid/content/SharedPreferences;->getInt(Ljava/lang/String;I)I
    move-result v0
    const/4 v1, 0x1
    if-ne v0, v1, :end
    invoke-static {p0}, Lcom/appwarden/rules/flagsok/Host;->imsi(Landroid/content/Context;)V
    :end
    return-void
.end method

# gated: a string flag, "1".equals(getString("uminit", "")) (UMeng's own demo stores "uminit" = "1")
.method private initUmeng()V
    .locals 3
    const-string v1, "app"
    const/4 v2, 0x0
    invoke-virtual {p0, v1, v2}, Landroid/content/Context;->getSharedPreferences(Ljava/lang/String;I)Landroid/content/SharedPreferences;
    move-result-object v1
    const-string v0, "uminit"
    const-string v2, ""
    invoke-interface {v1, v0, v2}, Landroid/content/SharedPreferences;->getString(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;
    move-result-object v0
    const-string v1, "1"
    invoke-virtual {v1, v0}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
    move-result v0
    if-eqz v0, :end
    invoke-static {p0}, Lcom/umeng/commonsdk/UMConfigure;->init(Landroid/content/Context;)V
    :end
    return-void
.end method
