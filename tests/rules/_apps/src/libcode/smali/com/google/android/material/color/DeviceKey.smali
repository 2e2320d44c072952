.class public Lcom/google/android/material/color/DeviceKey;
.super Ljava/lang/Object;
.source "DeviceKey.java"

# Library code with a resolved key: Settings.Secure.getString(cr, "android_id") stays Android ID evidence.
.method public static id(Landroid/content/ContentResolver;)Ljava/lang/String;
    .locals 1
    const-string v0, "android_id"
    invoke-static {p0, v0}, Landroid/provider/Settings$Secure;->getString(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method
