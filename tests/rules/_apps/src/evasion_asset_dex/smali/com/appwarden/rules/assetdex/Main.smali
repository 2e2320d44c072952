.class public Lcom/appwarden/rules/assetdex/Main;
.super Landroid/app/Activity;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

# Loads assets/plugin.dex (built from payload/ by tests/rules/_apps/src/evasion_asset_dex/build_payload.sh) with a
# DexClassLoader at start-up and runs its Payload.run(Context), which reads the IMEI: no PI call in classes.dex.
# (The asset is copied to the code cache first on a device; the copy is left out: it changes nothing statically.)
.method protected onCreate(Landroid/os/Bundle;)V
    .locals 5
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    new-instance v0, Ldalvik/system/DexClassLoader;
    const-string v1, "/data/data/com.appwarden.rules.assetdex/code_cache/plugin.dex"
    invoke-virtual {p0}, Lcom/appwarden/rules/assetdex/Main;->getCodeCacheDir()Ljava/io/File;
    move-result-object v2
    invoke-virtual {v2}, Ljava/io/File;->getPath()Ljava/lang/String;
    move-result-object v2
    const/4 v3, 0x0
    invoke-virtual {p0}, Lcom/appwarden/rules/assetdex/Main;->getClassLoader()Ljava/lang/ClassLoader;
    move-result-object v4
    invoke-direct {v0, v1, v2, v3, v4}, Ldalvik/system/DexClassLoader;-><init>(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/ClassLoader;)V
    const-string v1, "com.appwarden.rules.assetdex.payload.Payload"
    invoke-virtual {v0, v1}, Ljava/lang/ClassLoader;->loadClass(Ljava/lang/String;)Ljava/lang/Class;
    move-result-object v1
    const/4 v2, 0x1
    new-array v2, v2, [Ljava/lang/Class;
    const/4 v3, 0x0
    const-class v4, Landroid/content/Context;
    aput-object v4, v2, v3
    const-string v3, "run"
    invoke-virtual {v1, v3, v2}, Ljava/lang/Class;->getMethod(Ljava/lang/String;[Ljava/lang/Class;)Ljava/lang/reflect/Method;
    move-result-object v1
    const/4 v2, 0x1
    new-array v2, v2, [Ljava/lang/Object;
    const/4 v3, 0x0
    aput-object p0, v2, v3
    const/4 v3, 0x0
    invoke-virtual {v1, v3, v2}, Ljava/lang/reflect/Method;->invoke(Ljava/lang/Object;[Ljava/lang/Object;)Ljava/lang/Object;
    return-void
.end method
