.class public Lcom/appwarden/rules/consentinc/SplashActivity;
.super Landroid/app/Activity;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method protected onCreate(Landroid/os/Bundle;)V
    .locals 0
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    invoke-direct {p0}, Lcom/appwarden/rules/consentinc/SplashActivity;->showPrivacy()V
    return-void
.end method

# the consent dialog: only the outer layout dialog_privacy is loaded here; its text and its agree/refuse buttons
# are in the layouts it includes (privacy_body, privacy_buttons); no policy or agree word anywhere in the code
.method private showPrivacy()V
    .locals 4
    invoke-static {p0}, Landroid/view/LayoutInflater;->from(Landroid/content/Context;)Landroid/view/LayoutInflater;
    move-result-object v0
    const v1, 0x7f020000
    const/4 v2, 0x0
    invoke-virtual {v0, v1, v2}, Landroid/view/LayoutInflater;->inflate(ILandroid/view/ViewGroup;)Landroid/view/View;
    move-result-object v3
    new-instance v0, Landroid/app/AlertDialog$Builder;
    invoke-direct {v0, p0}, Landroid/app/AlertDialog$Builder;-><init>(Landroid/content/Context;)V
    invoke-virtual {v0, v3}, Landroid/app/AlertDialog$Builder;->setView(Landroid/view/View;)Landroid/app/AlertDialog$Builder;
    const-string v1, "OK"
    new-instance v2, Lcom/appwarden/rules/consentinc/AgreeListener;
    invoke-direct {v2, p0}, Lcom/appwarden/rules/consentinc/AgreeListener;-><init>(Landroid/content/Context;)V
    invoke-virtual {v0, v1, v2}, Landroid/app/AlertDialog$Builder;->setPositiveButton(Ljava/lang/CharSequence;Landroid/content/DialogInterface$OnClickListener;)Landroid/app/AlertDialog$Builder;
    const-string v1, "Cancel"
    new-instance v2, Lcom/appwarden/rules/consentinc/RefuseListener;
    invoke-direct {v2, p0}, Lcom/appwarden/rules/consentinc/RefuseListener;-><init>(Landroid/content/Context;)V
    invoke-virtual {v0, v1, v2}, Landroid/app/AlertDialog$Builder;->setNegativeButton(Ljava/lang/CharSequence;Landroid/content/DialogInterface$OnClickListener;)Landroid/app/AlertDialog$Builder;
    invoke-virtual {v0}, Landroid/app/AlertDialog$Builder;->show()Landroid/app/AlertDialog;
    return-void
.end method
