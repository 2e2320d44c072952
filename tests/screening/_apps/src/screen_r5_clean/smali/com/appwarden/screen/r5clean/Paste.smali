.class public Lcom/appwarden/screen/r5clean/Paste;
.super Ljava/lang/Object;

# pastes from the clipboard into a form (reads only; the wallet address is written by Clip, another class)

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public static paste(Landroid/content/Context;)Landroid/content/ClipData;
    .registers 3
    const-string v0, "clipboard"
    invoke-virtual {p0, v0}, Landroid/content/Context;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/content/ClipboardManager;
    invoke-virtual {v0}, Landroid/content/ClipboardManager;->getPrimaryClip()Landroid/content/ClipData;
    move-result-object v1
    return-object v1
.end method
