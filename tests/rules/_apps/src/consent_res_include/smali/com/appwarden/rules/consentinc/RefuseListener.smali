.class public Lcom/appwarden/rules/consentinc/RefuseListener;
.super Ljava/lang/Object;
.implements Landroid/content/DialogInterface$OnClickListener;

.method public constructor <init>(Landroid/content/Context;)V
    .locals 0
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

# refuse: leave the app
.method public onClick(Landroid/content/DialogInterface;I)V
    .locals 1
    const/4 v0, 0x0
    invoke-static {v0}, Ljava/lang/System;->exit(I)V
    return-void
.end method
