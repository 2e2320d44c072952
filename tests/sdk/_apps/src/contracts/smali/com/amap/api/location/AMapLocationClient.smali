.class public Lcom/amap/api/location/AMapLocationClient;
.super Ljava/lang/Object;
.source "AMapLocationClient.java"

.method public static updatePrivacyShow(Landroid/content/Context;ZZ)V
    .locals 0
    return-void
.end method

.method public static updatePrivacyAgree(Landroid/content/Context;Z)V
    .locals 0
    return-void
.end method
