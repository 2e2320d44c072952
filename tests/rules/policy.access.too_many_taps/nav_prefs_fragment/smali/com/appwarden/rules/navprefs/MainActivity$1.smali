.class Lcom/appwarden/rules/navprefs/MainActivity$1;
.super Ljava/lang/Object;
.implements Landroid/view/View$OnClickListener;
.source "MainActivity.java"

.field final synthetic a:Lcom/appwarden/rules/navprefs/MainActivity;

.method constructor <init>(Lcom/appwarden/rules/navprefs/MainActivity;)V
    .registers 2
    iput-object p1, p0, Lcom/appwarden/rules/navprefs/MainActivity$1;->a:Lcom/appwarden/rules/navprefs/MainActivity;
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public onClick(Landroid/view/View;)V
    .registers 5
    iget-object v0, p0, Lcom/appwarden/rules/navprefs/MainActivity$1;->a:Lcom/appwarden/rules/navprefs/MainActivity;
    invoke-virtual {v0}, Landroid/app/Activity;->getFragmentManager()Landroid/app/FragmentManager;
    move-result-object v1
    invoke-virtual {v1}, Landroid/app/FragmentManager;->beginTransaction()Landroid/app/FragmentTransaction;
    move-result-object v1
    new-instance v2, Lcom/appwarden/rules/navprefs/SettingsFragment;
    invoke-direct {v2}, Lcom/appwarden/rules/navprefs/SettingsFragment;-><init>()V
    const v3, 0x1020002
    invoke-virtual {v1, v3, v2}, Landroid/app/FragmentTransaction;->replace(ILandroid/app/Fragment;)Landroid/app/FragmentTransaction;
    move-result-object v1
    invoke-virtual {v1}, Landroid/app/FragmentTransaction;->commit()I
    return-void
.end method
