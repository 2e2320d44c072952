.class public Lcom/appwarden/sdkc/App;
.super Landroid/app/Application;
.source "App.java"

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Application;-><init>()V
    return-void
.end method

# Pre-consent start-up: AMap told "shown" and "agreed" with hard-coded true (a consent claim before any dialog),
# JPush collection held back with setAuth(false), UMeng pre-initialised (collects nothing).
.method public onCreate()V
    .locals 4
    invoke-super {p0}, Landroid/app/Application;->onCreate()V
    const/4 v0, 0x1
    invoke-static {p0, v0, v0}, Lcom/amap/api/location/AMapLocationClient;->updatePrivacyShow(Landroid/content/Context;ZZ)V
    invoke-static {p0, v0}, Lcom/amap/api/location/AMapLocationClient;->updatePrivacyAgree(Landroid/content/Context;Z)V
    const/4 v1, 0x0
    invoke-static {p0, v1}, Lcn/jiguang/api/utils/JCollectionAuth;->setAuth(Landroid/content/Context;Z)V
    const-string v2, "0123456789abcdef01234567"
    const-string v3, "fixture"
    invoke-static {p0, v2, v3}, Lcom/umeng/commonsdk/UMConfigure;->preInit(Landroid/content/Context;Ljava/lang/String;Ljava/lang/String;)V
    return-void
.end method
