.class public Lcom/appwarden/rules/leads/MainActivity;
.super Landroid/app/Activity;

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method protected onCreate(Landroid/os/Bundle;)V
    .registers 4
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    # ruleid: sub.auto_renewal.no_cancellation (offer, no cancellation path anywhere)
    const-string v0, "开通连续包月会员，到期自动续费，首月仅需6元"
    invoke-static {p0, v0}, Lcom/appwarden/rules/leads/MainActivity;->show(Landroid/content/Context;Ljava/lang/String;)V
    # ruleid: lure.identity_for_reward
    const-string v0, "完成实名认证并上传身份证照片，即可领取20元现金红包"
    invoke-static {p0, v0}, Lcom/appwarden/rules/leads/MainActivity;->show(Landroid/content/Context;Ljava/lang/String;)V
    invoke-static {p0}, Lcom/appwarden/rules/leads/IconHider;->hide(Landroid/content/Context;)V
    invoke-static {p0}, Lcom/google/firebase/analytics/FirebaseAnalytics;->getInstance(Landroid/content/Context;)Lcom/google/firebase/analytics/FirebaseAnalytics;
    new-instance v1, Lcom/alipay/sdk/app/PayTask;
    invoke-direct {v1, p0}, Lcom/alipay/sdk/app/PayTask;-><init>(Landroid/app/Activity;)V
    return-void
.end method

.method public static show(Landroid/content/Context;Ljava/lang/String;)V
    .registers 3
    const/4 v0, 0x1
    invoke-static {p0, p1, v0}, Landroid/widget/Toast;->makeText(Landroid/content/Context;Ljava/lang/CharSequence;I)Landroid/widget/Toast;
    return-void
.end method
