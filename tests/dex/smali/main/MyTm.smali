.class public Lcom/aw/t/MyTm;
.super Landroid/telephony/TelephonyManager;

# An app subclass of a framework class: getDeviceId is inherited, getImei is overridden.

.method public getImei()Ljava/lang/String;
    .registers 2
    const-string v0, "fake"
    return-object v0
.end method
