.class public Lcom/appwarden/rules/bad/App;
.super Landroid/app/Application;
.source "App.java"

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Application;-><init>()V
    return-void
.end method

# Application.onCreate: scans Wi-Fi before any consent (pi.startup.location) and starts the Getui push SDK.
.method public onCreate()V
    .locals 1
    invoke-super {p0}, Landroid/app/Application;->onCreate()V
    const-string v0, "wifi"
    invoke-virtual {p0, v0}, Landroid/content/Context;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/net/wifi/WifiManager;
    invoke-virtual {v0}, Landroid/net/wifi/WifiManager;->getScanResults()Ljava/util/List;
    invoke-static {p0}, Lcom/igexin/sdk/PushManager;->initialize(Landroid/content/Context;)V
    return-void
.end method
