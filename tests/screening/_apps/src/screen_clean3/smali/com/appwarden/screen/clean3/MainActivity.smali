.class public Lcom/appwarden/screen/clean3/MainActivity;
.super Landroid/app/Activity;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

# the user typed the recipient and the text on this screen and pressed "send"
.method public onSend(Ljava/lang/String;Ljava/lang/String;)V
    .locals 6
    invoke-static {}, Landroid/telephony/SmsManager;->getDefault()Landroid/telephony/SmsManager;
    move-result-object v0
    const/4 v3, 0x0
    const/4 v4, 0x0
    const/4 v5, 0x0
    move-object v1, p1
    move-object v2, p2
    invoke-virtual/range {v0 .. v5}, Landroid/telephony/SmsManager;->sendTextMessage(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Landroid/app/PendingIntent;Landroid/app/PendingIntent;)V
    return-void
.end method

# shows the device identifier on this screen and checks for an update (the user is looking)
.method public about(Landroid/telephony/TelephonyManager;Ljava/net/URL;)V
    .locals 1
    invoke-virtual {p1}, Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;
    invoke-virtual {p2}, Ljava/net/URL;->openConnection()Ljava/net/URLConnection;
    return-void
.end method

# installs its own update, downloaded elsewhere (nothing bundled in assets)
.method public installUpdate(Landroid/net/Uri;)V
    .locals 2
    new-instance v0, Landroid/content/Intent;
    const-string v1, "android.intent.action.VIEW"
    invoke-direct {v0, v1}, Landroid/content/Intent;-><init>(Ljava/lang/String;)V
    const-string v1, "application/vnd.android.package-archive"
    invoke-virtual {v0, p1, v1}, Landroid/content/Intent;->setDataAndType(Landroid/net/Uri;Ljava/lang/String;)Landroid/content/Intent;
    invoke-virtual {p0, v0}, Landroid/app/Activity;->startActivity(Landroid/content/Intent;)V
    return-void
.end method
