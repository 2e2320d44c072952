.class public Lcom/baidu/location/LocationClient;
.super Ljava/lang/Object;
.source "LocationClient.java"

.method public static setAgreePrivacy(Z)V
    .locals 0
    return-void
.end method
