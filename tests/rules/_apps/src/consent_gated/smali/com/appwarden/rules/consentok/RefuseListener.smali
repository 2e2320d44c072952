.class public Lcom/appwarden/rules/consentok/RefuseListener;
.super Ljava/lang/Object;
.implements Landroid/content/DialogInterface$OnClickListener;

.field private final ctx:Landroid/content/Context;

.method public constructor <init>(Landroid/content/Context;)V
    .locals 0
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    iput-object p1, p0, Lcom/appwarden/rules/consentok/RefuseListener;->ctx:Landroid/content/Context;
    return-void
.end method

# refuse: leave the app
.method public onClick(Landroid/content/DialogInterface;I)V
    .locals 1
    iget-object p0, p0, Lcom/appwarden/rules/consentok/RefuseListener;->ctx:Landroid/content/Context;
    const/4 v0, 0x0
    invoke-static {v0}, Ljava/lang/System;->exit(I)V
    return-void
.end method
