.class public Lcom/appwarden/rules/consentinc/Util;
.super Ljava/lang/Object;

# an app helper the analysis cannot classify by itself (could be a consent check)
.method public static isMainProcess(Landroid/content/Context;)Z
    .locals 2
    invoke-virtual {p0}, Landroid/content/Context;->getPackageName()Ljava/lang/String;
    move-result-object v0
    invoke-virtual {p0}, Landroid/content/Context;->getApplicationInfo()Landroid/content/pm/ApplicationInfo;
    move-result-object v1
    iget-object v1, v1, Landroid/content/pm/ApplicationInfo;->processName:Ljava/lang/String;
    invoke-virtual {v0, v1}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
    move-result v0
    return v0
.end method
