.class public Lcom/appwarden/screen/r6/AdminReceiver;
.super Landroid/app/admin/DeviceAdminReceiver;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/admin/DeviceAdminReceiver;-><init>()V
    return-void
.end method
