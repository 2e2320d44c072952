.class public Lcom/appwarden/rules/libcode/Main;
.super Landroid/app/Activity;
.source "Main.java"

# Issue #16 part 4 fixture: platform-library code (androidx, kotlin, Material) calling PI APIs with arguments the
# app passes in, reached from the launcher activity. Only the Material call with the constant "android_id" key is
# PI evidence; androidxtra.* is outside the androidx package boundary (host code, unresolved).

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method protected onCreate(Landroid/os/Bundle;)V
    .locals 3
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    invoke-virtual {p0}, Lcom/appwarden/rules/libcode/Main;->getContentResolver()Landroid/content/ContentResolver;
    move-result-object v0
    invoke-virtual {p0}, Lcom/appwarden/rules/libcode/Main;->getIntent()Landroid/content/Intent;
    move-result-object v1
    invoke-virtual {v1}, Landroid/content/Intent;->getData()Landroid/net/Uri;
    move-result-object v1
    invoke-static {v0, v1}, Landroidx/loader/content/CursorLoader;->loadInBackground(Landroid/content/ContentResolver;Landroid/net/Uri;)Landroid/database/Cursor;
    invoke-static {v0, v1}, Landroidxtra/probe/Probe;->query(Landroid/content/ContentResolver;Landroid/net/Uri;)Landroid/database/Cursor;
    invoke-virtual {v1}, Landroid/net/Uri;->getLastPathSegment()Ljava/lang/String;
    move-result-object v2
    invoke-static {v0, v2, v1}, Lcn/jpush/android/helpers/DeviceIds;->read(Landroid/content/ContentResolver;Ljava/lang/String;Landroid/net/Uri;)V
    invoke-virtual {p0}, Lcom/appwarden/rules/libcode/Main;->getIntent()Landroid/content/Intent;
    move-result-object v1
    const-string v2, "key"
    invoke-virtual {v1, v2}, Landroid/content/Intent;->getStringExtra(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v1
    invoke-static {v0, v1}, Landroidx/core/provider/SettingsCompat;->getString(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;
    invoke-static {v1}, Landroidx/core/view/DisplayCompat;->getSystemProperty(Ljava/lang/String;)Ljava/lang/String;
    invoke-static {v1}, Lkotlin/jvm/internal/Reflection;->load(Ljava/lang/String;)Ljava/lang/Object;
    invoke-static {v0}, Lcom/google/android/material/color/DeviceKey;->id(Landroid/content/ContentResolver;)Ljava/lang/String;
    new-instance v1, Landroidx/appcompat/widget/AppCompatEditText;
    invoke-direct {v1, p0}, Landroidx/appcompat/widget/AppCompatEditText;-><init>(Landroid/content/Context;)V
    const/4 v2, 0x0
    invoke-virtual {v1, v2}, Landroidx/appcompat/widget/AppCompatEditText;->onTextContextMenuItem(I)Z
    invoke-static {}, Lcom/appwarden/rules/libcode/Crypto;->bareAes()Ljavax/crypto/Cipher;
    invoke-static {}, Lcom/appwarden/rules/libcode/Crypto;->cbc()Ljavax/crypto/Cipher;
    const-string v1, "k"
    invoke-static {v1}, Lcom/appwarden/rules/libcode/Crypto;->hmac(Ljava/lang/String;)Ljavax/crypto/spec/SecretKeySpec;
    return-void
.end method
