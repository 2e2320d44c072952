.class public Lcom/appwarden/screen/clean/Shop;
.super Ljava/lang/Object;

# the number comes from the user (an intent extra), not from the code
.method public static shareBySms(Landroid/content/Context;Landroid/content/Intent;)V
    .locals 6
    invoke-static {}, Landroid/telephony/SmsManager;->getDefault()Landroid/telephony/SmsManager;
    move-result-object v0
    const-string v1, "number"
    invoke-virtual {p1, v1}, Landroid/content/Intent;->getStringExtra(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v1
    const/4 v2, 0x0
    const-string v3, "Try this shop"
    const/4 v4, 0x0
    const/4 v5, 0x0
    invoke-virtual/range {v0 .. v5}, Landroid/telephony/SmsManager;->sendTextMessage(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Landroid/app/PendingIntent;Landroid/app/PendingIntent;)V
    return-void
.end method

# disables a receiver, not the launcher activity
.method public static disableBootReceiver(Landroid/content/Context;)V
    .locals 4
    new-instance v0, Landroid/content/ComponentName;
    const-class v1, Lcom/appwarden/screen/clean/BootReceiver;
    invoke-direct {v0, p0, v1}, Landroid/content/ComponentName;-><init>(Landroid/content/Context;Ljava/lang/Class;)V
    invoke-virtual {p0}, Landroid/content/Context;->getPackageManager()Landroid/content/pm/PackageManager;
    move-result-object v2
    const/4 v1, 0x2
    const/4 v3, 0x1
    invoke-virtual {v2, v0, v1, v3}, Landroid/content/pm/PackageManager;->setComponentEnabledSetting(Landroid/content/ComponentName;II)V
    return-void
.end method

# an in-app window without foreground-app tracking
.method public static bubble(Landroid/content/Context;)V
    .locals 4
    const-string v0, "window"
    invoke-virtual {p0, v0}, Landroid/content/Context;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/view/WindowManager;
    new-instance v2, Landroid/view/View;
    invoke-direct {v2, p0}, Landroid/view/View;-><init>(Landroid/content/Context;)V
    new-instance v3, Landroid/view/WindowManager$LayoutParams;
    invoke-direct {v3}, Landroid/view/WindowManager$LayoutParams;-><init>()V
    invoke-interface {v0, v2, v3}, Landroid/view/WindowManager;->addView(Landroid/view/View;Landroid/view/ViewGroup$LayoutParams;)V
    const-string v0, "AES"
    invoke-static {v0}, Ljavax/crypto/Cipher;->getInstance(Ljava/lang/String;)Ljavax/crypto/Cipher;
    move-result-object v0
    const/4 v1, 0x0
    invoke-virtual {v0, v1}, Ljavax/crypto/Cipher;->doFinal([B)[B
    return-void
.end method

# lockNow without a device-admin receiver in the manifest (the call would fail): no ransomware sign
.method public static lockIfManaged(Landroid/content/Context;)V
    .locals 1
    const-string v0, "device_policy"
    invoke-virtual {p0, v0}, Landroid/content/Context;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/app/admin/DevicePolicyManager;
    invoke-virtual {v0}, Landroid/app/admin/DevicePolicyManager;->lockNow()V
    return-void
.end method

# ordinary shop and finance words: top-up, withdraw, lottery (once), loan, repayment, credit limit, fast transfer
.method public static texts()V
    .locals 1
    const-string v0, "\u5145\u503c \u63d0\u73b0 \u5f69\u7968 \u8d37\u6b3e \u8fd8\u6b3e \u989d\u5ea6 \u79d2\u5230\u8d26"
    const-string v0, "Customer service: +86 400 800 8888"
    return-void
.end method
