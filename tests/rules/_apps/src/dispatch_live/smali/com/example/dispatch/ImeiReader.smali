.class public Lcom/example/dispatch/ImeiReader;
.super Ljava/lang/Object;
.implements Lcom/example/dispatch/Source;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

# The only PI read of the app: the IMEI.
.method public get(Landroid/content/Context;)Ljava/lang/String;
    .locals 1
    const-string v0, "phone"
    invoke-virtual {p1, v0}, Landroid/content/Context;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/telephony/TelephonyManager;
    invoke-virtual {v0}, Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method
