.class public Lcom/appwarden/rules/navbase/DeepActivity;
.super Lcom/appwarden/rules/navbase/BaseActivity;
.source "DeepActivity.java"

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Lcom/appwarden/rules/navbase/BaseActivity;-><init>()V
    return-void
.end method

.method protected initView()V
    .registers 4
    return-void
.end method
