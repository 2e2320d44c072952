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

# Launcher query narrowed to the app's own package (setPackage): not the app list.
.method public listLaunchers()Ljava/util/List;
    .locals 3
    new-instance v0, Landroid/content/Intent;
    const-string v1, "android.intent.action.MAIN"
    invoke-direct {v0, v1}, Landroid/content/Intent;-><init>(Ljava/lang/String;)V
    const-string v1, "android.intent.category.LAUNCHER"
    invoke-virtual {v0, v1}, Landroid/content/Intent;->addCategory(Ljava/lang/String;)Landroid/content/Intent;
    invoke-virtual {p0}, Landroid/content/Context;->getPackageName()Ljava/lang/String;
    move-result-object v1
    invoke-virtual {v0, v1}, Landroid/content/Intent;->setPackage(Ljava/lang/String;)Landroid/content/Intent;
    invoke-virtual {p0}, Landroid/content/Context;->getPackageManager()Landroid/content/pm/PackageManager;
    move-result-object v1
    const/4 v2, 0x0
    invoke-virtual {v1, v0, v2}, Landroid/content/pm/PackageManager;->queryIntentActivities(Landroid/content/Intent;I)Ljava/util/List;
    move-result-object v0
    return-object v0
.end method

# ok for ads.personalization.no_switch: the settings screen's switch for the ad SDK's personalised ads (issue #20)
.method public personalisationSwitchTitle()Ljava/lang/String;
    .registers 2
    const-string v0, "个性化广告推荐"
    return-object v0
.end method
