.class public Lcom/appwarden/rules/consentinc/AgreeListener;
.super Ljava/lang/Object;
.implements Landroid/content/DialogInterface$OnClickListener;

.field private final ctx:Landroid/content/Context;

.method public constructor <init>(Landroid/content/Context;)V
    .locals 0
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    iput-object p1, p0, Lcom/appwarden/rules/consentinc/AgreeListener;->ctx:Landroid/content/Context;
    return-void
.end method

# agree: store the consent flag under a key not named like one ("ua_state")
.method public onClick(Landroid/content/DialogInterface;I)V
    .locals 3
    iget-object p0, p0, Lcom/appwarden/rules/consentinc/AgreeListener;->ctx:Landroid/content/Context;
    const-string v1, "ua_state"
    const/4 v2, 0x0
    invoke-virtual {p0, v1, v2}, Landroid/content/Context;->getSharedPreferences(Ljava/lang/String;I)Landroid/content/SharedPreferences;
    move-result-object v0
    invoke-interface {v0}, Landroid/content/SharedPreferences;->edit()Landroid/content/SharedPreferences$Editor;
    move-result-object v0
    const/4 v2, 0x1
    invoke-interface {v0, v1, v2}, Landroid/content/SharedPreferences$Editor;->putBoolean(Ljava/lang/String;Z)Landroid/content/SharedPreferences$Editor;
    move-result-object v0
    invoke-interface {v0}, Landroid/content/SharedPreferences$Editor;->apply()V
    return-void
.end method
