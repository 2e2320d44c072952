.class public Lcom/appwarden/rules/bad/InitProvider;
.super Landroid/content/ContentProvider;
.source "InitProvider.java"

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/content/ContentProvider;-><init>()V
    return-void
.end method

# ContentProvider.onCreate runs at process start, before Application.onCreate: reads the clipboard there.
.method public onCreate()Z
    .locals 2
    invoke-virtual {p0}, Landroid/content/ContentProvider;->getContext()Landroid/content/Context;
    move-result-object v0
    invoke-static {v0}, Lcom/appwarden/rules/bad/InitProvider;->readClip(Landroid/content/Context;)Ljava/lang/String;
    const/4 v0, 0x1
    return v0
.end method

.method public static readClip(Landroid/content/Context;)Ljava/lang/String;
    .locals 2
    const-string v0, "clipboard"
    invoke-virtual {p0, v0}, Landroid/content/Context;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/content/ClipboardManager;
    invoke-virtual {v0}, Landroid/content/ClipboardManager;->getPrimaryClip()Landroid/content/ClipData;
    move-result-object v1
    const/4 v1, 0x0
    return-object v1
.end method
