.class public Landroidx/core/provider/SettingsCompat;
.super Ljava/lang/Object;
.source "SettingsCompat.java"

# A library settings read of a key the app passes in (unresolved): not an Android ID read.
.method public static getString(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;
    .locals 1
    invoke-static {p0, p1}, Landroid/provider/Settings$Secure;->getString(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method
