.class public Lcom/db/policylib/Policy;
.super Ljava/lang/Object;

# Stand-in for PolicyLib: when the stored answer says agreed, the callback gets rule(true) at once; otherwise the
# dialog is shown (its buttons call rule(true)/rule(false); not modelled here).
.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public static getInstance()Lcom/db/policylib/Policy;
    .locals 1
    new-instance v0, Lcom/db/policylib/Policy;
    invoke-direct {v0}, Lcom/db/policylib/Policy;-><init>()V
    return-object v0
.end method

.method public hasShowRule(Landroid/content/Context;)Z
    .locals 2
    const-string v0, "rule"
    const/4 v1, 0x0
    invoke-virtual {p1, v0, v1}, Landroid/content/Context;->getSharedPreferences(Ljava/lang/String;I)Landroid/content/SharedPreferences;
    move-result-object p1
    invoke-interface {p1, v0, v1}, Landroid/content/SharedPreferences;->getBoolean(Ljava/lang/String;Z)Z
    move-result v0
    return v0
.end method

.method public showRuleDialog(Landroid/content/Context;Ljava/lang/String;Ljava/lang/String;ILcom/db/policylib/Policy$RuleListener;)V
    .locals 1
    invoke-virtual {p0, p1}, Lcom/db/policylib/Policy;->hasShowRule(Landroid/content/Context;)Z
    move-result v0
    if-eqz v0, :show
    const/4 v0, 0x1
    invoke-interface {p5, v0}, Lcom/db/policylib/Policy$RuleListener;->rule(Z)V
    return-void
    :show
    return-void
.end method
