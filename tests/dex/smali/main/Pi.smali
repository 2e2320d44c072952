.class public Lcom/aw/t/Pi;
.super Ljava/lang/Object;

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public static androidId(Landroid/content/ContentResolver;)Ljava/lang/String;
    .registers 3
    const-string v0, "android_id"
    invoke-static {p0, v0}, Landroid/provider/Settings$Secure;->getString(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method

.method public static notAndroidId(Landroid/content/ContentResolver;)Ljava/lang/String;
    .registers 3
    const-string v0, "bluetooth_name"
    invoke-static {p0, v0}, Landroid/provider/Settings$Secure;->getString(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method

.method public static unknownSetting(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;
    .registers 3
    invoke-static {p0, p1}, Landroid/provider/Settings$Secure;->getString(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method

.method public static overwritten(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;
    .registers 3
    const-string v0, "android_id"
    move-object v0, p1
    invoke-static {p0, v0}, Landroid/provider/Settings$Secure;->getString(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method

.method public static sms(Landroid/content/ContentResolver;)Landroid/database/Cursor;
    .registers 8
    const-string v0, "content://sms/inbox"
    invoke-static {v0}, Landroid/net/Uri;->parse(Ljava/lang/String;)Landroid/net/Uri;
    move-result-object v1
    const/4 v2, 0x0
    move-object v0, p0
    move-object v3, v2
    move-object v4, v2
    move-object v5, v2
    invoke-virtual/range {v0 .. v5}, Landroid/content/ContentResolver;->query(Landroid/net/Uri;[Ljava/lang/String;Ljava/lang/String;[Ljava/lang/String;Ljava/lang/String;)Landroid/database/Cursor;
    move-result-object v0
    return-object v0
.end method

.method public static ownProvider(Landroid/content/ContentResolver;)Landroid/database/Cursor;
    .registers 8
    const-string v0, "content://com.aw.t.data/items"
    invoke-static {v0}, Landroid/net/Uri;->parse(Ljava/lang/String;)Landroid/net/Uri;
    move-result-object v1
    const/4 v2, 0x0
    move-object v0, p0
    move-object v3, v2
    move-object v4, v2
    move-object v5, v2
    invoke-virtual/range {v0 .. v5}, Landroid/content/ContentResolver;->query(Landroid/net/Uri;[Ljava/lang/String;Ljava/lang/String;[Ljava/lang/String;Ljava/lang/String;)Landroid/database/Cursor;
    move-result-object v0
    return-object v0
.end method

.method public static anyQuery(Landroid/content/ContentResolver;Landroid/net/Uri;)Landroid/database/Cursor;
    .registers 8
    const/4 v2, 0x0
    move-object v0, p0
    move-object v1, p1
    move-object v3, v2
    move-object v4, v2
    move-object v5, v2
    invoke-virtual/range {v0 .. v5}, Landroid/content/ContentResolver;->query(Landroid/net/Uri;[Ljava/lang/String;Ljava/lang/String;[Ljava/lang/String;Ljava/lang/String;)Landroid/database/Cursor;
    move-result-object v0
    return-object v0
.end method

.method public static gyro(Landroid/hardware/SensorManager;)Landroid/hardware/Sensor;
    .registers 3
    const/4 v0, 0x4
    invoke-virtual {p0, v0}, Landroid/hardware/SensorManager;->getDefaultSensor(I)Landroid/hardware/Sensor;
    move-result-object v0
    return-object v0
.end method

.method public static light(Landroid/hardware/SensorManager;)Landroid/hardware/Sensor;
    .registers 3
    const/4 v0, 0x5
    invoke-virtual {p0, v0}, Landroid/hardware/SensorManager;->getDefaultSensor(I)Landroid/hardware/Sensor;
    move-result-object v0
    return-object v0
.end method

.method public static viaSubclass(Lcom/aw/t/MyTm;)Ljava/lang/String;
    .registers 2
    invoke-virtual {p0}, Lcom/aw/t/MyTm;->getDeviceId()Ljava/lang/String;
    move-result-object v0
    invoke-virtual {p0}, Lcom/aw/t/MyTm;->getImei()Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method

.method public static reflect(Ljava/lang/Object;)Ljava/lang/Object;
    .registers 5
    const-string v0, "android.telephony.TelephonyManager"
    invoke-static {v0}, Ljava/lang/Class;->forName(Ljava/lang/String;)Ljava/lang/Class;
    move-result-object v0
    const-string v1, "getSubscriberId"
    const/4 v2, 0x0
    new-array v3, v2, [Ljava/lang/Class;
    invoke-virtual {v0, v1, v3}, Ljava/lang/Class;->getMethod(Ljava/lang/String;[Ljava/lang/Class;)Ljava/lang/reflect/Method;
    move-result-object v0
    new-array v3, v2, [Ljava/lang/Object;
    invoke-virtual {v0, p0, v3}, Ljava/lang/reflect/Method;->invoke(Ljava/lang/Object;[Ljava/lang/Object;)Ljava/lang/Object;
    move-result-object v0
    return-object v0
.end method

.method public static namesOnly()V
    .registers 2
    const-string v0, "android.telephony.TelephonyManager"
    const-string v1, "getSubscriberId"
    return-void
.end method

.method public static strings()V
    .registers 2
    const-string v0, "content://com.android.contacts/data"
    const-string v0, "content://smsx"
    const-string v0, "cat /sys/class/net/wlan0/address"
    const-string v0, "xwlan0"
    return-void
.end method
