.class public Lcom/appwarden/screen/ransomclean/MainActivity;
.super Landroid/app/Activity;

# Clean twin: a file manager lists and deletes files on external storage (no cipher in that class), and a
# password vault encrypts one private file in another class (called from another method); the wallet words are common ones only.

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method public onCreate(Landroid/os/Bundle;)V
    .registers 5
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    invoke-static {}, Landroid/os/Environment;->getExternalStorageDirectory()Ljava/io/File;
    move-result-object v0
    invoke-virtual {v0}, Ljava/io/File;->listFiles()[Ljava/io/File;
    move-result-object v1
    const/4 v2, 0x0
    aget-object v2, v1, v2
    invoke-virtual {v2}, Ljava/io/File;->delete()Z
    const-string v3, "Bitcoin wallet: tap to unlock, decrypt your backup with your decryption key"
    const-string v3, "Your device is locked. Enter your PIN."
    const-string v3, "\u89e3\u9501\u94b1\u5305\uff0c\u6bd4\u7279\u5e01"
    return-void
.end method

# the vault locks one private file from its own button, not from the method that lists external storage
.method public onLockVault()V
    .registers 2
    new-instance v0, Lcom/appwarden/screen/ransomclean/Vault;
    invoke-direct {v0}, Lcom/appwarden/screen/ransomclean/Vault;-><init>()V
    return-void
.end method
