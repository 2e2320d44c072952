.class public Lcom/appwarden/rules/navlayout/MainActivity;
.super Landroid/app/Activity;
.source "MainActivity.java"

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method protected onCreate(Landroid/os/Bundle;)V
    .registers 4
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    const v0, 0x7f020000
    invoke-virtual {p0, v0}, Landroid/app/Activity;->setContentView(I)V
    return-void
.end method

.method public openAbout(Landroid/view/View;)V
    .registers 4
    new-instance v1, Landroid/content/Intent;
    const-class v2, Lcom/appwarden/rules/navlayout/AboutActivity;
    invoke-direct {v1, p0, v2}, Landroid/content/Intent;-><init>(Landroid/content/Context;Ljava/lang/Class;)V
    invoke-virtual {p0, v1}, Landroid/app/Activity;->startActivity(Landroid/content/Intent;)V
    return-void
.end method
