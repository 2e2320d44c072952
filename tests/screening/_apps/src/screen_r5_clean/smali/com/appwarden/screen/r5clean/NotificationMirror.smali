.class public Lcom/appwarden/screen/r5clean/NotificationMirror;
.super Landroid/service/notification/NotificationListenerService;

# r5_clean: a notification mirror under the app's own package. Round eight: shipped with its class.

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/service/notification/NotificationListenerService;-><init>()V
    return-void
.end method
