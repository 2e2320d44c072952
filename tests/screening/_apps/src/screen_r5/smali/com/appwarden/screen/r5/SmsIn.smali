.class public Lcom/appwarden/screen/r5/SmsIn;
.super Landroid/content/BroadcastReceiver;

# receives SMS (the one-time codes the page asks for); does nothing else here

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/content/BroadcastReceiver;-><init>()V
    return-void
.end method

.method public onReceive(Landroid/content/Context;Landroid/content/Intent;)V
    .registers 3
    return-void
.end method
