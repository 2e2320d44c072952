.class public Lcom/amap/api/location/AMapLocationClient;
.super Ljava/lang/Object;

.method public static updatePrivacyAgree(Landroid/content/Context;Z)V
    .locals 0
    return-void
.end method

# Stand-in for AMap location: start reads the last known location.
.method public static start(Landroid/content/Context;)V
    .locals 2
    const-string v0, "location"
    invoke-virtual {p0, v0}, Landroid/content/Context;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/location/LocationManager;
    const-string v1, "gps"
    invoke-virtual {v0, v1}, Landroid/location/LocationManager;->getLastKnownLocation(Ljava/lang/String;)Landroid/location/Location;
    return-void
.end method
