.class public Lcom/tencent/mm/opensdk/openapi/WXAPIFactory;
.super Ljava/lang/Object;

.method public static createWXAPI(Landroid/content/Context;Ljava/lang/String;)V
    .registers 2
    return-void
.end method
