.class public Lcom/appwarden/rules/libcode/Crypto;
.super Ljava/lang/Object;
.source "Crypto.java"

# Cipher.getInstance("AES"): the provider default is AES/ECB/PKCS5Padding (sec.weak_cipher reports ECB mode).
.method public static bareAes()Ljavax/crypto/Cipher;
    .locals 1
    const-string v0, "AES"
    invoke-static {v0}, Ljavax/crypto/Cipher;->getInstance(Ljava/lang/String;)Ljavax/crypto/Cipher;
    move-result-object v0
    return-object v0
.end method

# "AES" names the key's algorithm (SecretKeySpec); the cipher is CBC: not ECB.
.method public static cbc()Ljavax/crypto/Cipher;
    .locals 4
    const/16 v0, 0x10
    new-array v0, v0, [B
    new-instance v1, Ljavax/crypto/spec/SecretKeySpec;
    const-string v2, "AES"
    invoke-direct {v1, v0, v2}, Ljavax/crypto/spec/SecretKeySpec;-><init>([BLjava/lang/String;)V
    const-string v2, "AES/CBC/PKCS5Padding"
    invoke-static {v2}, Ljavax/crypto/Cipher;->getInstance(Ljava/lang/String;)Ljavax/crypto/Cipher;
    move-result-object v3
    return-object v3
.end method

# An HMAC key passed in by the caller: "HmacSHA1" (8 chars, a key's length) names the algorithm, it is not a key
# (sec.hardcoded_key reports nothing); the transformation is built from pieces ("B/PKCS5P" is not a key either).
.method public static hmac(Ljava/lang/String;)Ljavax/crypto/spec/SecretKeySpec;
    .locals 3
    invoke-virtual {p0}, Ljava/lang/String;->getBytes()[B
    move-result-object v0
    new-instance v1, Ljavax/crypto/spec/SecretKeySpec;
    const-string v2, "HmacSHA1"
    invoke-direct {v1, v0, v2}, Ljavax/crypto/spec/SecretKeySpec;-><init>([BLjava/lang/String;)V
    const-string v2, "B/PKCS5P"
    return-object v1
.end method
