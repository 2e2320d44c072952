.class public Lcom/appwarden/screen/r5clean/Fonts;
.super Ljava/lang/Object;

# reads a font from the assets (no code loading here)

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public static open(Landroid/content/Context;)Ljava/io/InputStream;
    .registers 3
    invoke-virtual {p0}, Landroid/content/Context;->getAssets()Landroid/content/res/AssetManager;
    move-result-object v0
    const-string v1, "fonts/title.ttf"
    invoke-virtual {v0, v1}, Landroid/content/res/AssetManager;->open(Ljava/lang/String;)Ljava/io/InputStream;
    move-result-object v0
    return-object v0
.end method
