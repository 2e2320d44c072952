.class public Lcom/appwarden/rules/flags/AgreeListener;
.super Ljava/lang/Object;
.implements Landroid/content/DialogInterface$OnClickListener;

.field private final ctx:Landroid/content/Context;

.method public constructor <init>(Landroid/content/Context;)V
    .locals 0
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    iput-object p1, p0, Lcom/appwarden/rules/flags/AgreeListener;->ctx:Landroid/content/Context;
    return-void
.end method

# agree: store the answer as an int, as strings and in the consent-state object's instance field
.method public onClick(Landroid/content/DialogInterface;I)V
    .locals 4
    iget-object p0, p0, Lcom/appwarden/rules/flags/AgreeListener;->ctx:Landroid/content/Context;
    const-string v1, "app"
    const/4 v2, 0x0
    invoke-virtual {p0, v1, v2}, Landroid/content/Context;->getSharedPreferences(Ljava/lang/String;I)Landroid/content/SharedPreferences;
    move-result-object v1
    invoke-interface {v1}, Landroid/content/SharedPreferences;->edit()Landroid/content/SharedPreferences$Editor;
    move-result-object v1
    const-string v0, "privacy_state"
    const/4 v2, 0x1
    invoke-interface {v1, v0, v2}, Landroid/content/SharedPreferences$Editor;->putInt(Ljava/lang/String;I)Landroid/content/SharedPreferences$Editor;
    const-string v0, "uminit"
    const-string v3, "1"
    invoke-interface {v1, v0, v3}, Landroid/content/SharedPreferences$Editor;->putString(Ljava/lang/String;Ljava/lang/String;)Landroid/content/SharedPreferences$Editor;
    const-string v0, "agree_state"
    const-string v3, "true"
    invoke-interface {v1, v0, v3}, Landroid/content/SharedPreferences$Editor;->putString(Ljava/lang/String;Ljava/lang/String;)Landroid/content/SharedPreferences$Editor;
    invoke-interface {v1}, Landroid/content/SharedPreferences$Editor;->apply()V
    invoke-static {}, Lcom/appwarden/rules/flags/PrivacyState;->get()Lcom/appwarden/rules/flags/PrivacyState;
    move-result-object v0
    iput-boolean v2, v0, Lcom/appwarden/rules/flags/PrivacyState;->agreed:Z
    return-void
.end method
