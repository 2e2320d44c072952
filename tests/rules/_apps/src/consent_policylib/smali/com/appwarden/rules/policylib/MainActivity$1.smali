.class Lcom/appwarden/rules/policylib/MainActivity$1;
.super Ljava/lang/Object;
.implements Lcom/db/policylib/Policy$RuleListener;

.field final synthetic this$0:Lcom/appwarden/rules/policylib/MainActivity;

.method constructor <init>(Lcom/appwarden/rules/policylib/MainActivity;)V
    .locals 0
    iput-object p1, p0, Lcom/appwarden/rules/policylib/MainActivity$1;->this$0:Lcom/appwarden/rules/policylib/MainActivity;
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

# one callback for both answers: agree starts UMeng, refuse reads the IMSI before leaving (collection after refusal)
.method public rule(Z)V
    .locals 1
    iget-object v0, p0, Lcom/appwarden/rules/policylib/MainActivity$1;->this$0:Lcom/appwarden/rules/policylib/MainActivity;
    if-eqz p1, :refused
    invoke-static {v0}, Lcom/umeng/commonsdk/UMConfigure;->init(Landroid/content/Context;)V
    return-void
    :refused
    invoke-static {v0}, Lcom/appwarden/rules/policylib/Host;->imsi(Landroid/content/Context;)V
    invoke-virtual {v0}, Lcom/appwarden/rules/policylib/MainActivity;->finish()V
    return-void
.end method

.method public oneClick()V
    .locals 0
    return-void
.end method

.method public twoClick()V
    .locals 0
    return-void
.end method
