.class public Landroidx/core/app/SyncHelperService;
.super Landroid/service/notification/NotificationListenerService;

# r5: the disguised notification listener (a payload class named like androidx). Round eight: the class is in the
# DEX, as in the samples this fixture stands for (dropper.runtime_component is about classes that are not).

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/service/notification/NotificationListenerService;-><init>()V
    return-void
.end method
