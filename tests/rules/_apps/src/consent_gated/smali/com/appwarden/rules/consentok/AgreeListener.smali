.class public Lcom/appwarden/rules/consentok/AgreeListener;
.super Ljava/lang/Object;
.implements Landroid/content/DialogInterface$OnClickListener;

.field private final ctx:Landroid/content/Context;

.method public constructor <init>(Landroid/content/Context;)V
    .locals 0
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    iput-object p1, p0, Lcom/appwarden/rules/consentok/AgreeListener;->ctx:Landroid/content/Context;
    return-void
.end method

# agree: store the consent flag (and, gated twin, start the SDKs only now)
.method public onClick(Landroid/content/DialogInterface;I)V
    .locals 3
    iget-object p0, p0, Lcom/appwarden/rules/consentok/AgreeListener;->ctx:Landroid/content/Context;
    const-string v1, "app"
    const/4 v2, 0x0
    invoke-virtual {p0, v1, v2}, Landroid/content/Context;->getSharedPreferences(Ljava/lang/String;I)Landroid/content/SharedPreferences;
    move-result-object v1
    invoke-interface {v1}, Landroid/content/SharedPreferences;->edit()Landroid/content/SharedPreferences$Editor;
    move-result-object v1
    const-string v0, "privacy_agreed"
    const/4 v2, 0x1
    invoke-interface {v1, v0, v2}, Landroid/content/SharedPreferences$Editor;->putBoolean(Ljava/lang/String;Z)Landroid/content/SharedPreferences$Editor;
    move-result-object v1
    invoke-interface {v1}, Landroid/content/SharedPreferences$Editor;->apply()V
    sput-boolean v2, Lcom/appwarden/rules/consentok/Consent;->agreed:Z
    invoke-static {p0}, Lcn/jpush/android/api/JPushInterface;->init(Landroid/content/Context;)V
    new-instance v0, Lcom/alibaba/sdk/android/push/CloudPushService;
    invoke-direct {v0}, Lcom/alibaba/sdk/android/push/CloudPushService;-><init>()V
    const/4 v1, 0x0
    invoke-virtual {v0, p0, v1}, Lcom/alibaba/sdk/android/push/CloudPushService;->register(Landroid/content/Context;Lcom/alibaba/sdk/android/push/CommonCallback;)V
    return-void
.end method
