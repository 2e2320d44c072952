.class public Lcom/appwarden/screen/r10c/PluginHost;
.super Ljava/lang/Object;

# r10 clean (round ten): a plugin host. It loads a plugin with a DexClassLoader and keeps the file; an unrelated
# method of the same class clears old cache files (dropper.load_and_delete needs both in one method).

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public static load(Ljava/lang/String;Ljava/lang/String;Ljava/lang/ClassLoader;)Ljava/lang/ClassLoader;
    .registers 5
    new-instance v0, Ldalvik/system/DexClassLoader;
    const/4 v1, 0x0
    invoke-direct {v0, p0, p1, v1, p2}, Ldalvik/system/DexClassLoader;-><init>(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/ClassLoader;)V
    return-object v0
.end method

.method public static clearCache(Ljava/io/File;)V
    .registers 1
    invoke-virtual {p0}, Ljava/io/File;->delete()Z
    return-void
.end method
