.class public Lcom/appwarden/rules/clean/Sec;
.super Ljava/lang/Object;
.source "Sec.java"

# JavaScript enabled but no Java bridge.
.method public static webview(Landroid/content/Context;)V
    .locals 3
    new-instance v0, Landroid/webkit/WebView;
    invoke-direct {v0, p0}, Landroid/webkit/WebView;-><init>(Landroid/content/Context;)V
    invoke-virtual {v0}, Landroid/webkit/WebView;->getSettings()Landroid/webkit/WebSettings;
    move-result-object v1
    const/4 v2, 0x1
    invoke-virtual {v1, v2}, Landroid/webkit/WebSettings;->setJavaScriptEnabled(Z)V
    return-void
.end method

# AES/GCM (not weak).
.method public static gcm()Ljavax/crypto/Cipher;
    .locals 1
    const-string v0, "AES/GCM/NoPadding"
    invoke-static {v0}, Ljavax/crypto/Cipher;->getInstance(Ljava/lang/String;)Ljavax/crypto/Cipher;
    move-result-object v0
    return-object v0
.end method

.method public static sha256()Ljava/security/MessageDigest;
    .locals 1
    const-string v0, "SHA-256"
    invoke-static {v0}, Ljava/security/MessageDigest;->getInstance(Ljava/lang/String;)Ljava/security/MessageDigest;
    move-result-object v0
    return-object v0
.end method

# Random key bytes (no constant).
.method public static key()Ljavax/crypto/spec/SecretKeySpec;
    .locals 3
    const/16 v0, 0x10
    new-array v0, v0, [B
    new-instance v1, Ljava/security/SecureRandom;
    invoke-direct {v1}, Ljava/security/SecureRandom;-><init>()V
    invoke-virtual {v1, v0}, Ljava/security/SecureRandom;->nextBytes([B)V
    new-instance v1, Ljavax/crypto/spec/SecretKeySpec;
    const-string v2, "AES"
    invoke-direct {v1, v0, v2}, Ljavax/crypto/spec/SecretKeySpec;-><init>([BLjava/lang/String;)V
    return-object v1
.end method

# MODE_PRIVATE (0).
.method public static files(Landroid/content/Context;)V
    .locals 2
    const-string v0, "prefs"
    const/4 v1, 0x0
    invoke-virtual {p0, v0, v1}, Landroid/content/Context;->openFileOutput(Ljava/lang/String;I)Ljava/io/FileOutputStream;
    return-void
.end method
