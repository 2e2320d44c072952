.class public Lcom/appwarden/screen/clean3/Worker;
.super Landroid/app/Service;

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

# a background worker that sends nothing
.method public sync()V
    .locals 0
    return-void
.end method
