.class public Lcom/appwarden/screen/r8c/MainActivity;
.super Landroid/app/Activity;

# r8_clean: a sticky-note window and a dual-SIM lookup through reflection on SmsManager, without SEND_SMS.

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method protected onCreate(Landroid/os/Bundle;)V
    .registers 4
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    new-instance v0, Landroid/content/Intent;
    const-class v1, Lcom/appwarden/screen/r8c/NoteService;
    invoke-direct {v0, p0, v1}, Landroid/content/Intent;-><init>(Landroid/content/Context;Ljava/lang/Class;)V
    invoke-virtual {p0, v0}, Lcom/appwarden/screen/r8c/MainActivity;->startService(Landroid/content/Intent;)Landroid/content/ComponentName;
    invoke-static {}, Lcom/appwarden/screen/r8c/SimInfo;->smsManagerForSlot()Ljava/lang/Object;
    return-void
.end method
