.class public Lcom/appwarden/rules/navbase/OtherActivity;
.super Lcom/appwarden/rules/navbase/BaseActivity;
.source "OtherActivity.java"

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Lcom/appwarden/rules/navbase/BaseActivity;-><init>()V
    return-void
.end method

.method protected initView()V
    .registers 4
    new-instance v1, Landroid/content/Intent;
    const-class v2, Lcom/appwarden/rules/navbase/PolicyActivity;
    invoke-direct {v1, p0, v2}, Landroid/content/Intent;-><init>(Landroid/content/Context;Ljava/lang/Class;)V
    invoke-virtual {p0, v1}, Landroid/app/Activity;->startActivity(Landroid/content/Intent;)V
    invoke-virtual {p0}, Landroid/app/Activity;->finish()V
    return-void
.end method
