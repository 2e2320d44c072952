.class Lcom/appwarden/rules/navbase/SettingsActivity$1;
.super Ljava/lang/Object;
.implements Landroid/view/View$OnClickListener;
.source "SettingsActivity.java"

.field final synthetic a:Lcom/appwarden/rules/navbase/SettingsActivity;

.method constructor <init>(Lcom/appwarden/rules/navbase/SettingsActivity;)V
    .registers 2
    iput-object p1, p0, Lcom/appwarden/rules/navbase/SettingsActivity$1;->a:Lcom/appwarden/rules/navbase/SettingsActivity;
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public onClick(Landroid/view/View;)V
    .registers 5
    iget-object v0, p0, Lcom/appwarden/rules/navbase/SettingsActivity$1;->a:Lcom/appwarden/rules/navbase/SettingsActivity;
    new-instance v1, Landroid/content/Intent;
    const-class v2, Lcom/appwarden/rules/navbase/DeepActivity;
    invoke-direct {v1, v0, v2}, Landroid/content/Intent;-><init>(Landroid/content/Context;Ljava/lang/Class;)V
    invoke-virtual {v0, v1}, Landroid/app/Activity;->startActivity(Landroid/content/Intent;)V
    return-void
.end method
