.class Lcom/appwarden/rules/policylibok/MainActivity$1;
.super Ljava/lang/Object;
.implements Lcom/db/policylib/Policy$RuleListener;

.field final synthetic this$0:Lcom/appwarden/rules/policylibok/MainActivity;

.method constructor <init>(Lcom/appwarden/rules/policylibok/MainActivity;)V
    .locals 0
    iput-object p1, p0, Lcom/appwarden/rules/policylibok/MainActivity$1;->this$0:Lcom/appwarden/rules/policylibok/MainActivity;
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

# twin: both collections on the agree side, refuse only leaves
.method public rule(Z)V
    .locals 1
    iget-object v0, p0, Lcom/appwarden/rules/policylibok/MainActivity$1;->this$0:Lcom/appwarden/rules/policylibok/MainActivity;
    if-eqz p1, :refused
    invoke-static {v0}, Lcom/umeng/commonsdk/UMConfigure;->init(Landroid/content/Context;)V
    invoke-static {v0}, Lcom/appwarden/rules/policylibok/Host;->imsi(Landroid/content/Context;)V
    return-void
    :refused
    invoke-virtual {v0}, Lcom/appwarden/rules/policylibok/MainActivity;->finish()V
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
