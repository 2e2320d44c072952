.class public Lcom/appwarden/rules/bad/OpenService;
.super Landroid/app/Service;
.source "OpenService.java"

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Service;-><init>()V
    return-void
.end method

.method public onBind(Landroid/content/Intent;)Landroid/os/IBinder;
    .locals 1
    const/4 v0, 0x0
    return-object v0
.end method

# returns START_NOT_STICKY (2)
.method public onStartCommand(Landroid/content/Intent;II)I
    .locals 1
    const/4 v0, 0x2
    return v0
.end method
