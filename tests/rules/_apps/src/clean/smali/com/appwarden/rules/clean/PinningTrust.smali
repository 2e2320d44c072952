.class public Lcom/appwarden/rules/clean/PinningTrust;
.super Ljava/lang/Object;
.source "PinningTrust.java"
.implements Ljavax/net/ssl/X509TrustManager;

.field private final base:Ljavax/net/ssl/X509TrustManager;

.method public constructor <init>(Ljavax/net/ssl/X509TrustManager;)V
    .locals 0
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    iput-object p1, p0, Lcom/appwarden/rules/clean/PinningTrust;->base:Ljavax/net/ssl/X509TrustManager;
    return-void
.end method

.method public checkClientTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
    .locals 1
    iget-object v0, p0, Lcom/appwarden/rules/clean/PinningTrust;->base:Ljavax/net/ssl/X509TrustManager;
    invoke-interface {v0, p1, p2}, Ljavax/net/ssl/X509TrustManager;->checkClientTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
    return-void
.end method

# delegates to the platform trust manager
.method public checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
    .locals 1
    iget-object v0, p0, Lcom/appwarden/rules/clean/PinningTrust;->base:Ljavax/net/ssl/X509TrustManager;
    invoke-interface {v0, p1, p2}, Ljavax/net/ssl/X509TrustManager;->checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
    return-void
.end method

.method public getAcceptedIssuers()[Ljava/security/cert/X509Certificate;
    .locals 1
    iget-object v0, p0, Lcom/appwarden/rules/clean/PinningTrust;->base:Ljavax/net/ssl/X509TrustManager;
    invoke-interface {v0}, Ljavax/net/ssl/X509TrustManager;->getAcceptedIssuers()[Ljava/security/cert/X509Certificate;
    move-result-object v0
    return-object v0
.end method
