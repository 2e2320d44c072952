.class public Lcom/appwarden/screen/r11/MainActivity;
.super Landroid/app/Activity;

# Round eleven firing twin: the same library-shaped class as screen_r11_clean (oicq/wlogin_sdk/tools/util), and the
# app's own Vault class, which walks external storage, encrypts each file and deletes the original. Only Vault
# counts for ransomware.file_encryption.

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method public onCreate(Landroid/os/Bundle;)V
    .registers 3
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    invoke-static {}, Landroid/os/Environment;->getExternalStorageDirectory()Ljava/io/File;
    move-result-object v0
    invoke-static {v0}, Lcom/appwarden/screen/r11/Vault;->lockAll(Ljava/io/File;)V
    invoke-static {}, Loicq/wlogin_sdk/tools/util;->deleteExpireLog()V
    return-void
.end method
