.class public Loicq/wlogin_sdk/tools/util;
.super Ljava/lang/Object;

# Round eleven: a class in the package of Tencent's QQ login SDK (wtlogin, oicq.wlogin_sdk), our own smali, no
# SDK bytes. Like the SDK's static utility class it holds a cipher (RSA), a walk of its own log folder on external
# storage that deletes expired files, and a device-ID read: the ingredients of ransomware.file_encryption in one
# class, in code the app did not write.

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public static RSADecrypt([BLjava/security/Key;)[B
    .registers 4
    const-string v0, "RSA/ECB/PKCS1Padding"
    invoke-static {v0}, Ljavax/crypto/Cipher;->getInstance(Ljava/lang/String;)Ljavax/crypto/Cipher;
    move-result-object v0
    const/4 v1, 0x2
    invoke-virtual {v0, v1, p1}, Ljavax/crypto/Cipher;->init(ILjava/security/Key;)V
    invoke-virtual {v0, p0}, Ljavax/crypto/Cipher;->doFinal([B)[B
    move-result-object v0
    return-object v0
.end method

.method public static deleteExpireLog()V
    .registers 3
    invoke-static {}, Landroid/os/Environment;->getExternalStorageDirectory()Ljava/io/File;
    move-result-object v0
    new-instance v1, Ljava/io/File;
    const-string v2, "tencent/wtlogin"
    invoke-direct {v1, v0, v2}, Ljava/io/File;-><init>(Ljava/io/File;Ljava/lang/String;)V
    invoke-static {v1}, Loicq/wlogin_sdk/tools/util;->deleteExpireFile(Ljava/io/File;)V
    return-void
.end method

.method public static deleteExpireFile(Ljava/io/File;)V
    .registers 5
    invoke-virtual {p0}, Ljava/io/File;->listFiles()[Ljava/io/File;
    move-result-object v0
    if-nez v0, :go
    return-void
    :go
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

.method public static get_IMEI(Landroid/content/Context;)Ljava/lang/String;
    .registers 2
    const-string v0, "phone"
    invoke-virtual {p0, v0}, Landroid/content/Context;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/telephony/TelephonyManager;
    invoke-virtual {v0}, Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method
