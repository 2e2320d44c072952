.class public Lcom/appwarden/rules/bad/Sec;
.super Ljava/lang/Object;
.source "Sec.java"

# WebView with JavaScript enabled and a Java bridge (sec.webview_js_bridge; minSdk 16 => high).
.method public static webview(Landroid/content/Context;)V
    .locals 3
    new-instance v0, Landroid/webkit/WebView;
    invoke-direct {v0, p0}, Landroid/webkit/WebView;-><init>(Landroid/content/Context;)V
    invoke-virtual {v0}, Landroid/webkit/WebView;->getSettings()Landroid/webkit/WebSettings;
    move-result-object v1
    const/4 v2, 0x1
    invoke-virtual {v1, v2}, Landroid/webkit/WebSettings;->setJavaScriptEnabled(Z)V
    new-instance v1, Ljava/lang/Object;
    invoke-direct {v1}, Ljava/lang/Object;-><init>()V
    const-string v2, "bridge"
    invoke-virtual {v0, v1, v2}, Landroid/webkit/WebView;->addJavascriptInterface(Ljava/lang/Object;Ljava/lang/String;)V
    return-void
.end method

# AES in ECB mode (sec.weak_cipher).
.method public static ecb()Ljavax/crypto/Cipher;
    .locals 1
    const-string v0, "AES/ECB/PKCS5Padding"
    invoke-static {v0}, Ljavax/crypto/Cipher;->getInstance(Ljava/lang/String;)Ljavax/crypto/Cipher;
    move-result-object v0
    return-object v0
.end method

# MD5 digest (sec.weak_hash).
.method public static md5()Ljava/security/MessageDigest;
    .locals 1
    const-string v0, "MD5"
    invoke-static {v0}, Ljava/security/MessageDigest;->getInstance(Ljava/lang/String;)Ljava/security/MessageDigest;
    move-result-object v0
    return-object v0
.end method

# A key compiled into the app (sec.hardcoded_key).
.method public static key()Ljavax/crypto/spec/SecretKeySpec;
    .locals 3
    const-string v0, "0123456789abcdef"
    invoke-virtual {v0}, Ljava/lang/String;->getBytes()[B
    move-result-object v0
    new-instance v1, Ljavax/crypto/spec/SecretKeySpec;
    const-string v2, "AES"
    invoke-direct {v1, v0, v2}, Ljavax/crypto/spec/SecretKeySpec;-><init>([BLjava/lang/String;)V
    return-object v1
.end method

# MODE_WORLD_READABLE (1) file (sec.world_readable; targetSdk 22).
.method public static files(Landroid/content/Context;)V
    .locals 2
    const-string v0, "prefs"
    const/4 v1, 0x1
    invoke-virtual {p0, v0, v1}, Landroid/content/Context;->openFileOutput(Ljava/lang/String;I)Ljava/io/FileOutputStream;
    return-void
.end method
