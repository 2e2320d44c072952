.class public Lcom/appwarden/screen/r5clean/CacheStore;
.super Ljava/lang/Object;

# an SDK-style cache: encrypts records, lists and deletes its own cache files (no external-storage root near it)

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public static seal([B[B)[B
    .registers 6
    const-string v0, "AES"
    invoke-static {v0}, Ljavax/crypto/Cipher;->getInstance(Ljava/lang/String;)Ljavax/crypto/Cipher;
    move-result-object v1
    new-instance v2, Ljavax/crypto/spec/SecretKeySpec;
    invoke-direct {v2, p1, v0}, Ljavax/crypto/spec/SecretKeySpec;-><init>([BLjava/lang/String;)V
    const/4 v3, 0x1
    invoke-virtual {v1, v3, v2}, Ljavax/crypto/Cipher;->init(ILjava/security/Key;)V
    invoke-virtual {v1, p0}, Ljavax/crypto/Cipher;->doFinal([B)[B
    move-result-object v0
    return-object v0
.end method

.method public static trim(Ljava/io/File;)V
    .registers 6
    invoke-virtual {p0}, Ljava/io/File;->listFiles()[Ljava/io/File;
    move-result-object v0
    if-eqz v0, :done
    array-length v1, v0
    const/4 v2, 0x0
    :loop
    if-ge v2, v1, :done
    aget-object v3, v0, v2
    invoke-virtual {v3}, Ljava/io/File;->delete()Z
    add-int/lit8 v2, v2, 0x1
    goto :loop
    :done
    return-void
.end method
