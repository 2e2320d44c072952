.class public Lcom/appwarden/screen/r5clean/Plugins;
.super Ljava/lang/Object;

# loads a plugin the user downloaded (no asset involved)

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public static load(Landroid/content/Context;Ljava/lang/String;)Ljava/lang/ClassLoader;
    .registers 7
    new-instance v1, Ldalvik/system/DexClassLoader;
    const-string v3, "/data/data/com.appwarden.screen.r5clean/files"
    const/4 v4, 0x0
    invoke-virtual {p0}, Landroid/content/Context;->getClassLoader()Ljava/lang/ClassLoader;
    move-result-object v5
    invoke-direct {v1, p1, v3, v4, v5}, Ldalvik/system/DexClassLoader;-><init>(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/ClassLoader;)V
    return-object v1
.end method
