.class public Lcom/tencent/tinker/lib/tinker/TinkerInstaller;
.super Ljava/lang/Object;

.method public static install(Landroid/content/Context;)V
    .registers 5
    new-instance v0, Ldalvik/system/DexClassLoader;
    const-string v1, "/data/data/com.appwarden.rules.thirdparty/tinker/patch.dex"
    const-string v2, "/data/data/com.appwarden.rules.thirdparty/tinker/odex"
    const/4 v3, 0x0
    invoke-virtual {p0}, Landroid/content/Context;->getClassLoader()Ljava/lang/ClassLoader;
    move-result-object v4
    invoke-direct {v0, v1, v2, v3, v4}, Ldalvik/system/DexClassLoader;-><init>(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/ClassLoader;)V
    return-void
.end method
