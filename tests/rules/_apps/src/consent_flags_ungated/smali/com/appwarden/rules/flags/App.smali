.class public Lcom/appwarden/rules/flags/App;
.super Landroid/app/Application;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Application;-><init>()V
    return-void
.end method

.method public onCreate()V
    .locals 0
    invoke-super {p0}, Landroid/app/Application;->onCreate()V
    invoke-direct {p0}, Lcom/appwarden/rules/flags/App;->initHost()V
    invoke-direct {p0}, Lcom/appwarden/rules/flags/App;->initUmeng()V
    return-void
.end method

# ungated twin: the same shape of branch, on a value that is not the consent flag: an int flag, getInt("launch_count", 0) == 1
.method private initHost()V
    .locals 3
    const-string v1, "app"
    const/4 v2, 0x0
    invoke-virtual {p0, v1, v2}, Landroid/content/Context;->getSharedPreferences(Ljava/lang/String;I)Landroid/content/SharedPreferences;
    move-result-object v1
    const-string v0, "launch_count"
    invoke-interface {v1, v0, v2}, Landroid/content/SharedPreferences;->getInt(Ljava/lang/String;I)I
    move-result v0
    const/4 v1, 0x1
    if-ne v0, v1, :end
    invoke-static {p0}, Lcom/appwarden/rules/flags/Host;->imsi(Landroid/content/Context;)V
    :end
    return-void
.end method

# ungated twin: the same shape of branch, on a value that is not the consent flag: a string flag, "1".equals(getString("channel_mode", "")) (UMeng's own demo stores "uminit" = "1")
.method private initUmeng()V
    .locals 3
    const-string v1, "app"
    const/4 v2, 0x0
    invoke-virtual {p0, v1, v2}, Landroid/content/Context;->getSharedPreferences(Ljava/lang/String;I)Landroid/content/SharedPreferences;
    move-result-object v1
    const-string v0, "channel_mode"
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
