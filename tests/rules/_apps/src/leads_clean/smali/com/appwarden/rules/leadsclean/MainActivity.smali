.class public Lcom/appwarden/rules/leadsclean/MainActivity;
.super Landroid/app/Activity;

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method protected onCreate(Landroid/os/Bundle;)V
    .registers 4
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    # ok: the offer states how to cancel
    const-string v0, "开通连续包月会员，到期自动续费，首月仅需6元；可随时在“我的-会员管理”中取消自动续费"
    invoke-static {p0, v0}, Lcom/appwarden/rules/leadsclean/MainActivity;->show(Landroid/content/Context;Ljava/lang/String;)V
    # ok: identity verification without a reward
    const-string v0, "根据法律规定，提现前需完成实名认证"
    invoke-static {p0, v0}, Lcom/appwarden/rules/leadsclean/MainActivity;->show(Landroid/content/Context;Ljava/lang/String;)V
    # ok for ads.personalization.no_switch: the settings offer the switch
    const-string v0, "个性化广告推荐"
    invoke-static {p0, v0}, Lcom/appwarden/rules/leadsclean/MainActivity;->show(Landroid/content/Context;Ljava/lang/String;)V
    invoke-static {p0}, Lcom/appwarden/rules/leadsclean/IconHider;->hide(Landroid/content/Context;)V
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
