.class public Lcn/jiguang/api/utils/JCollectionAuth;
.super Ljava/lang/Object;

.method public static setAuth(Landroid/content/Context;Z)V
    .locals 0
    return-void
.end method
