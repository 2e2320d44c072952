.class public Lcom/appwarden/rules/bad/MainActivity;
.super Landroid/app/Activity;
.source "MainActivity.java"

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method protected onCreate(Landroid/os/Bundle;)V
    .locals 1
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    invoke-static {p0}, Lcom/appwarden/rules/bad/Sec;->webview(Landroid/content/Context;)V
    invoke-static {p0}, Lcom/bytedance/sdk/openadsdk/shake/ShakeListener;->start(Landroid/content/Context;)V
    return-void
.end method
