.class public Lcom/alipay/sdk/app/PayTask;
.super Ljava/lang/Object;

.method public constructor <init>(Landroid/app/Activity;)V
    .registers 2
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public payV2(Ljava/lang/String;Z)Ljava/util/Map;
    .registers 4
    const/4 v0, 0x0
    return-object v0
.end method
