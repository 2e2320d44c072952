.class public Lcom/tencent/tauth/Tencent;
.super Ljava/lang/Object;
.source "Tencent.java"

.method public static setIsPermissionGranted(ZLjava/lang/String;)V
    .locals 0
    return-void
.end method
