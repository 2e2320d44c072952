.class public Lcom/appwarden/rules/consent/PrivacyUtil;
.super Ljava/lang/Object;

.method public static isAgreed(Landroid/content/Context;)Z
    .locals 3
    const-string v1, "app"
    const/4 v2, 0x0
    invoke-virtual {p0, v1, v2}, Landroid/content/Context;->getSharedPreferences(Ljava/lang/String;I)Landroid/content/SharedPreferences;
    move-result-object v1
    const-string v0, "privacy_agreed"
    invoke-interface {v1, v0, v2}, Landroid/content/SharedPreferences;->getBoolean(Ljava/lang/String;Z)Z
    move-result v0
    return v0
.end method
