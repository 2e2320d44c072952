.class public Lcom/appwarden/screen/r8c/Mirror;
.super Landroid/service/notification/NotificationListenerService;

# r8_clean: a notification listener shipped with its class (a watch companion mirroring notifications).

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/service/notification/NotificationListenerService;-><init>()V
    return-void
.end method
