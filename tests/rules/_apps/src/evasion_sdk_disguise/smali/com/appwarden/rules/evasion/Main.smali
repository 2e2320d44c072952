.class public Lcom/appwarden/rules/evasion/Main;
.super Landroid/app/Activity;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

# Evasion by disguise (tests/rules/test_evasion.py): the app's own device-id collection, placed under cn/jpush/ so
# it is attributed to JPush, after a hard-coded JCollectionAuth.setAuth(false) of its own (the vendor's "hold
# collection back" switch), and an Android ID read inside its own com/umeng/commonsdk/UMConfigure.preInit (the
# vendor's compliant pre-initialisation). No consent is asked; the manifest names neither vendor.
.method protected onCreate(Landroid/os/Bundle;)V
    .locals 2
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    const/4 v0, 0x0
    invoke-static {p0, v0}, Lcn/jiguang/api/utils/JCollectionAuth;->setAuth(Landroid/content/Context;Z)V
    invoke-static {p0}, Lcn/jpush/android/helper/Collector;->collect(Landroid/content/Context;)Ljava/lang/String;
    const-string v0, "appkey"
    const-string v1, "channel"
    invoke-static {p0, v0, v1}, Lcom/umeng/commonsdk/UMConfigure;->preInit(Landroid/content/Context;Ljava/lang/String;Ljava/lang/String;)V
    return-void
.end method
