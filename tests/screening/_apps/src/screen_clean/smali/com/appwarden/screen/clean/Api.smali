.class public Lcom/appwarden/screen/clean/Api;
.super Ljava/lang/Object;

.method public static endpoint()Ljava/lang/String;
    .locals 1
    const-string v0, "https://shop.example.com/api"
    return-object v0
.end method
