.class public Lcom/appwarden/rules/navbase/MainActivity;
.super Lcom/appwarden/rules/navbase/BaseActivity;
.source "MainActivity.java"

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Lcom/appwarden/rules/navbase/BaseActivity;-><init>()V
    return-void
.end method

.method protected initView()V
    .registers 4
    new-instance v0, Landroid/widget/Button;
    invoke-direct {v0, p0}, Landroid/widget/Button;-><init>(Landroid/content/Context;)V
    new-instance v1, Lcom/appwarden/rules/navbase/MainActivity$1;
    invoke-direct {v1, p0}, Lcom/appwarden/rules/navbase/MainActivity$1;-><init>(Lcom/appwarden/rules/navbase/MainActivity;)V
    invoke-virtual {v0, v1}, Landroid/widget/Button;->setOnClickListener(Landroid/view/View$OnClickListener;)V
    invoke-virtual {p0, v0}, Landroid/app/Activity;->setContentView(Landroid/view/View;)V
    return-void
.end method
