.class public Lcom/appwarden/screen/r5/Loader;
.super Ljava/lang/Object;

# r5: opens a bundled asset and loads DEX code from what it wrote.
# r5_clean: a font read from the assets in one class, a downloaded plugin loaded in another.

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public static load(Landroid/content/Context;)V
    .registers 7
    invoke-virtual {p0}, Landroid/content/Context;->getAssets()Landroid/content/res/AssetManager;
    move-result-object v0
    const-string v1, "core.bin"
    invoke-virtual {v0, v1}, Landroid/content/res/AssetManager;->open(Ljava/lang/String;)Ljava/io/InputStream;
    move-result-object v0
    new-instance v1, Ldalvik/system/DexClassLoader;
    const-string v2, "/data/data/com.appwarden.screen.r5/files/core.dex"
    const-string v3, "/data/data/com.appwarden.screen.r5/files"
    const/4 v4, 0x0
    invoke-virtual {p0}, Landroid/content/Context;->getClassLoader()Ljava/lang/ClassLoader;
    move-result-object v5
    invoke-direct {v1, v2, v3, v4, v5}, Ldalvik/system/DexClassLoader;-><init>(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/ClassLoader;)V
    return-void
.end method
