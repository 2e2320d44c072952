.class public Lcom/appwarden/rules/policylib/MainActivity;
.super Landroid/app/Activity;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method protected onCreate(Landroid/os/Bundle;)V
    .locals 6
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    invoke-static {}, Lcom/db/policylib/Policy;->getInstance()Lcom/db/policylib/Policy;
    move-result-object v0
    const-string v2, "用户协议和隐私政策"
    const-string v3, "请您务必审慎阅读《用户协议》和《隐私政策》"
    const/4 v4, 0x0
    new-instance v5, Lcom/appwarden/rules/policylib/MainActivity$1;
    invoke-direct {v5, p0}, Lcom/appwarden/rules/policylib/MainActivity$1;-><init>(Lcom/appwarden/rules/policylib/MainActivity;)V
    move-object v1, p0
    invoke-virtual/range {v0 .. v5}, Lcom/db/policylib/Policy;->showRuleDialog(Landroid/content/Context;Ljava/lang/String;Ljava/lang/String;ILcom/db/policylib/Policy$RuleListener;)V
    return-void
.end method
