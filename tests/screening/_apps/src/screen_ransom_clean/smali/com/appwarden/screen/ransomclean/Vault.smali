.class public Lcom/appwarden/screen/ransomclean/Vault;
.super Ljava/lang/Object;

.method public constructor <init>()V
    .registers 4
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    const-string v0, "AES"
    invoke-static {v0}, Ljavax/crypto/Cipher;->getInstance(Ljava/lang/String;)Ljavax/crypto/Cipher;
    move-result-object v0
    const/4 v1, 0x0
    new-array v1, v1, [B
    invoke-virtual {v0, v1}, Ljavax/crypto/Cipher;->doFinal([B)[B
    new-instance v2, Ljava/io/File;
    const-string v1, "vault.tmp"
    invoke-direct {v2, v1}, Ljava/io/File;-><init>(Ljava/lang/String;)V
    invoke-virtual {v2}, Ljava/io/File;->delete()Z
    return-void
.end method
