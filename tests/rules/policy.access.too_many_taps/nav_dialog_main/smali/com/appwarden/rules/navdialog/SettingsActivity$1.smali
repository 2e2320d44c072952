.class Lcom/appwarden/rules/navdialog/SettingsActivity$1;
.super Ljava/lang/Object;
.implements Landroid/view/View$OnClickListener;
.source "SettingsActivity.java"

.field final synthetic a:Lcom/appwarden/rules/navdialog/SettingsActivity;

.method constructor <init>(Lcom/appwarden/rules/navdialog/SettingsActivity;)V
    .registers 2
    iput-object p1, p0, Lcom/appwarden/rules/navdialog/SettingsActivity$1;->a:Lcom/appwarden/rules/navdialog/SettingsActivity;
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public onClick(Landroid/view/View;)V
    .registers 5
    iget-object v0, p0, Lcom/appwarden/rules/navdialog/SettingsActivity$1;->a:Lcom/appwarden/rules/navdialog/SettingsActivity;
    new-instance v1, Landroid/content/Intent;
    const-class v2, Lcom/appwarden/rules/navdialog/AboutActivity;
    invoke-direct {v1, v0, v2}, Landroid/content/Intent;-><init>(Landroid/content/Context;Ljava/lang/Class;)V
    invoke-virtual {v0, v1}, Landroid/app/Activity;->startActivity(Landroid/content/Intent;)V
    return-void
.end method
