.class public Lcom/appwarden/rules/kids/MainActivity;
.super Landroid/app/Activity;

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method protected onCreate(Landroid/os/Bundle;)V
    .registers 3
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    invoke-static {p0}, Lcom/umeng/commonsdk/statistics/common/DeviceConfig;->getAndroidID(Landroid/content/Context;)Ljava/lang/String;
    invoke-static {p0}, Lcom/umeng/commonsdk/statistics/common/DeviceConfig;->getImei(Landroid/content/Context;)Ljava/lang/String;
    return-void
.end method
