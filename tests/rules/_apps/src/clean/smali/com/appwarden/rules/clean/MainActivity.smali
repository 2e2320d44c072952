.class public Lcom/appwarden/rules/clean/MainActivity;
.super Landroid/app/Activity;
.source "MainActivity.java"

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method protected onCreate(Landroid/os/Bundle;)V
    .locals 0
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    invoke-static {p0}, Lcom/appwarden/rules/clean/Sec;->webview(Landroid/content/Context;)V
    invoke-static {p0}, Lcom/bytedance/sdk/openadsdk/shake/ShakeListener;->start(Landroid/content/Context;)V
    return-void
.end method

# android:onClick handler: location only after the user taps.
.method public onLocate(Landroid/view/View;)V
    .locals 2
    const-string v0, "location"
    invoke-virtual {p0, v0}, Landroid/content/Context;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/location/LocationManager;
    const-string v1, "gps"
    invoke-virtual {v0, v1}, Landroid/location/LocationManager;->getLastKnownLocation(Ljava/lang/String;)Landroid/location/Location;
    return-void
.end method
