.class public Lcom/appwarden/rules/consenttxt/SplashActivity;
.super Landroid/app/Activity;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method protected onCreate(Landroid/os/Bundle;)V
    .locals 0
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    invoke-direct {p0}, Lcom/appwarden/rules/consenttxt/SplashActivity;->showPrivacy()V
    return-void
.end method

# the consent dialog: its text is set at run time (TextView.setText) from the static field Texts.PRIVACY
.method private showPrivacy()V
    .locals 4
    new-instance v3, Landroid/widget/TextView;
    invoke-direct {v3, p0}, Landroid/widget/TextView;-><init>(Landroid/content/Context;)V
    sget-object v1, Lcom/appwarden/rules/consenttxt/Texts;->PRIVACY:Ljava/lang/String;
    invoke-virtual {v3, v1}, Landroid/widget/TextView;->setText(Ljava/lang/CharSequence;)V
    new-instance v0, Landroid/app/AlertDialog$Builder;
    invoke-direct {v0, p0}, Landroid/app/AlertDialog$Builder;-><init>(Landroid/content/Context;)V
    invoke-virtual {v0, v3}, Landroid/app/AlertDialog$Builder;->setView(Landroid/view/View;)Landroid/app/AlertDialog$Builder;
    sget-object v1, Lcom/appwarden/rules/consenttxt/Texts;->AGREE:Ljava/lang/String;
    new-instance v2, Lcom/appwarden/rules/consenttxt/AgreeListener;
    invoke-direct {v2, p0}, Lcom/appwarden/rules/consenttxt/AgreeListener;-><init>(Landroid/content/Context;)V
    invoke-virtual {v0, v1, v2}, Landroid/app/AlertDialog$Builder;->setPositiveButton(Ljava/lang/CharSequence;Landroid/content/DialogInterface$OnClickListener;)Landroid/app/AlertDialog$Builder;
    const-string v1, "Cancel"
    new-instance v2, Lcom/appwarden/rules/consenttxt/RefuseListener;
    invoke-direct {v2, p0}, Lcom/appwarden/rules/consenttxt/RefuseListener;-><init>(Landroid/content/Context;)V
    invoke-virtual {v0, v1, v2}, Landroid/app/AlertDialog$Builder;->setNegativeButton(Ljava/lang/CharSequence;Landroid/content/DialogInterface$OnClickListener;)Landroid/app/AlertDialog$Builder;
    invoke-virtual {v0}, Landroid/app/AlertDialog$Builder;->show()Landroid/app/AlertDialog;
    return-void
.end method
