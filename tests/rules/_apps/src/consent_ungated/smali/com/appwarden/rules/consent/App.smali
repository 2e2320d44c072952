.class public Lcom/appwarden/rules/consent/App;
.super Landroid/app/Application;

.method static constructor <clinit>()V
    .locals 1
    invoke-static {}, Lcom/tencent/bugly/Bugly;->init()V
    return-void
.end method

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Application;-><init>()V
    return-void
.end method

.method public onCreate()V
    .locals 2
    invoke-super {p0}, Landroid/app/Application;->onCreate()V
    invoke-static {p0}, Lcom/appwarden/rules/consent/Host;->imsi(Landroid/content/Context;)V
    invoke-static {p0}, Lcom/umeng/commonsdk/UMConfigure;->init(Landroid/content/Context;)V
    invoke-static {p0}, Lcom/alibaba/sdk/android/push/noonesdk/PushServiceFactory;->init(Landroid/content/Context;)V
    new-instance v0, Lcom/alibaba/sdk/android/push/CloudPushService;
    invoke-direct {v0}, Lcom/alibaba/sdk/android/push/CloudPushService;-><init>()V
    const/4 v1, 0x0
    invoke-virtual {v0, p0, v1}, Lcom/alibaba/sdk/android/push/CloudPushService;->register(Landroid/content/Context;Lcom/alibaba/sdk/android/push/CommonCallback;)V
    return-void
.end method
