.class public Lcom/appwarden/sdkc/MainActivity;
.super Landroid/app/Activity;
.source "MainActivity.java"

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

# The agree handler: collection switched on with the stored decision (a helper's result: unresolved), UMeng and
# Baidu location started, QQ told the user granted (the two-argument overload).
.method public onAgree()V
    .locals 6
    invoke-static {p0}, Lcom/appwarden/sdkc/Prefs;->agreed(Landroid/content/Context;)Z
    move-result v0
    invoke-static {p0, v0}, Lcn/jiguang/api/utils/JCollectionAuth;->setAuth(Landroid/content/Context;Z)V
    const-string v1, "0123456789abcdef01234567"
    const-string v2, "fixture"
    const/4 v3, 0x1
    const-string v4, ""
    invoke-static/range {p0 .. p0}, Lcom/appwarden/sdkc/MainActivity;->noop(Landroid/content/Context;)V
    invoke-static {p0, v1, v2, v3, v4}, Lcom/umeng/commonsdk/UMConfigure;->init(Landroid/content/Context;Ljava/lang/String;Ljava/lang/String;ILjava/lang/String;)V
    sget-boolean v5, Lcom/appwarden/sdkc/Prefs;->AGREED:Z
    invoke-static {v5}, Lcom/baidu/location/LocationClient;->setAgreePrivacy(Z)V
    const-string v4, "model"
    invoke-static {v3, v4}, Lcom/tencent/tauth/Tencent;->setIsPermissionGranted(ZLjava/lang/String;)V
    return-void
.end method

.method public static noop(Landroid/content/Context;)V
    .locals 0
    return-void
.end method
