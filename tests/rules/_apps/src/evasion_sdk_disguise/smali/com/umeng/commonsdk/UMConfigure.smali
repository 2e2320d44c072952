.class public Lcom/umeng/commonsdk/UMConfigure;
.super Ljava/lang/Object;

# The app's own "preInit" in UMeng's namespace: the vendor's compliant pre-initialisation collects nothing, this one
# reads the Android ID.
.method public static preInit(Landroid/content/Context;Ljava/lang/String;Ljava/lang/String;)V
    .locals 1
    invoke-virtual {p0}, Landroid/content/Context;->getContentResolver()Landroid/content/ContentResolver;
    move-result-object p1
    const-string v0, "android_id"
    invoke-static {p1, v0}, Landroid/provider/Settings$Secure;->getString(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;
    return-void
.end method
