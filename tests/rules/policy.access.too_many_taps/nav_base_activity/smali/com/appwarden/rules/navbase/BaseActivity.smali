.class public abstract Lcom/appwarden/rules/navbase/BaseActivity;
.super Landroid/app/Activity;
.source "BaseActivity.java"

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method protected onCreate(Landroid/os/Bundle;)V
    .registers 2
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    invoke-virtual {p0}, Lcom/appwarden/rules/navbase/BaseActivity;->initView()V
    return-void
.end method

.method protected abstract initView()V
.end method
