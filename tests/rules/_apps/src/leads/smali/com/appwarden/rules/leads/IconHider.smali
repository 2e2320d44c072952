.class public Lcom/appwarden/rules/leads/IconHider;
.super Ljava/lang/Object;

# ruleid: uninstall.launcher_hidden — disables its own launcher activity (the icon disappears)
.method public static hide(Landroid/content/Context;)V
    .registers 5
    invoke-virtual {p0}, Landroid/content/Context;->getPackageManager()Landroid/content/pm/PackageManager;
    move-result-object v0
    new-instance v1, Landroid/content/ComponentName;
    const-string v2, "com.appwarden.rules.leads.MainActivity"
    invoke-direct {v1, p0, v2}, Landroid/content/ComponentName;-><init>(Landroid/content/Context;Ljava/lang/String;)V
    const/4 v2, 0x2
    const/4 v3, 0x1
    invoke-virtual {v0, v1, v2, v3}, Landroid/content/pm/PackageManager;->setComponentEnabledSetting(Landroid/content/ComponentName;II)V
    return-void
.end method
