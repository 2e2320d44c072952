.class public Lcom/appwarden/rules/consentok/App;
.super Landroid/app/Application;

.method static constructor <clinit>()V
    .locals 1
    sget-boolean v0, Lcom/appwarden/rules/consentok/Consent;->agreed:Z
    if-eqz v0, :skip
    invoke-static {}, Lcom/tencent/bugly/Bugly;->init()V
    :skip
    return-void
.end method

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Application;-><init>()V
    return-void
.end method

.method public onCreate()V
    .locals 2
    invoke-super {p0}, Landroid/app/Application;->onCreate()V
    invoke-direct {p0}, Lcom/appwarden/rules/consentok/App;->initHost()V
    invoke-direct {p0}, Lcom/appwarden/rules/consentok/App;->initSdk()V
    invoke-static {p0}, Lcom/alibaba/sdk/android/push/noonesdk/PushServiceFactory;->init(Landroid/content/Context;)V
    return-void
.end method

# gated inline: a branch on the stored flag read right here
.method private initHost()V
    .locals 3
    const-string v1, "app"
    const/4 v2, 0x0
    invoke-virtual {p0, v1, v2}, Landroid/content/Context;->getSharedPreferences(Ljava/lang/String;I)Landroid/content/SharedPreferences;
    move-result-object v1
    const-string v0, "privacy_agreed"
    invoke-interface {v1, v0, v2}, Landroid/content/SharedPreferences;->getBoolean(Ljava/lang/String;Z)Z
    move-result v0
    if-eqz v0, :end
    invoke-static {p0}, Lcom/appwarden/rules/consentok/Host;->imsi(Landroid/content/Context;)V
    :end
    return-void
.end method

# gated through a helper returning the flag
.method private initSdk()V
    .locals 1
    invoke-static {p0}, Lcom/appwarden/rules/consentok/PrivacyUtil;->isAgreed(Landroid/content/Context;)Z
    move-result v0
    if-eqz v0, :end
    invoke-static {p0}, Lcom/umeng/commonsdk/UMConfigure;->init(Landroid/content/Context;)V
    :end
    return-void
.end method
