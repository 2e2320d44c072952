.class public Lcom/igexin/sdk/PushReceiver;
.super Landroid/content/BroadcastReceiver;
.source "PushReceiver.java"

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/content/BroadcastReceiver;-><init>()V
    return-void
.end method

.method public onReceive(Landroid/content/Context;Landroid/content/Intent;)V
    .locals 0
    invoke-static {p1}, Lcom/igexin/sdk/PushManager;->initialize(Landroid/content/Context;)V
    return-void
.end method
