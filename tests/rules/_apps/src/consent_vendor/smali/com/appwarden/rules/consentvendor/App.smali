.class public Lcom/appwarden/rules/consentvendor/App;
.super Landroid/app/Application;

.field public static push:Z

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Application;-><init>()V
    return-void
.end method

# No consent dialog in the code: only the vendors' compliance APIs tell what each SDK may do.
.method public onCreate()V
    .locals 3
    invoke-super {p0}, Landroid/app/Application;->onCreate()V
    const/4 v0, 0x0
    invoke-static {p0, v0}, Lcn/jiguang/api/utils/JCollectionAuth;->setAuth(Landroid/content/Context;Z)V
    invoke-static {p0}, Lcn/jpush/android/api/JPushInterface;->init(Landroid/content/Context;)V
    const-string v1, "appkey"
    const-string v2, "channel"
    invoke-static {p0, v1, v2}, Lcom/umeng/commonsdk/UMConfigure;->preInit(Landroid/content/Context;Ljava/lang/String;Ljava/lang/String;)V
    const/4 v0, 0x1
    invoke-static {p0, v0}, Lcom/amap/api/location/AMapLocationClient;->updatePrivacyAgree(Landroid/content/Context;Z)V
    invoke-static {p0}, Lcom/amap/api/location/AMapLocationClient;->start(Landroid/content/Context;)V
    invoke-static {}, Lcom/appwarden/rules/consentvendor/App;->pushEnabled()Z
    move-result v0
    if-eqz v0, :skip
    invoke-static {p0}, Lcom/igexin/sdk/PushManager;->initialize(Landroid/content/Context;)V
    :skip
    return-void
.end method

# an app switch the analysis cannot tell from a consent flag: the Getui path stays "possible"
.method public static pushEnabled()Z
    .locals 1
    sget-boolean v0, Lcom/appwarden/rules/consentvendor/App;->push:Z
    return v0
.end method
