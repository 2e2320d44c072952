.class public Lcom/appwarden/rules/flags/SplashActivity;
.super Landroid/app/Activity;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

# ungated twin: the same shape of branch, on a value that is not the consent flag: an instance field of the consent-state object, PrivacyState.get().shown
.method protected onCreate(Landroid/os/Bundle;)V
    .locals 1
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    invoke-static {}, Lcom/appwarden/rules/flags/PrivacyState;->get()Lcom/appwarden/rules/flags/PrivacyState;
    move-result-object v0
    iget-boolean v0, v0, Lcom/appwarden/rules/flags/PrivacyState;->shown:Z
    if-nez v0, :agreed
    invoke-direct {p0}, Lcom/appwarden/rules/flags/SplashActivity;->showPrivacy()V
    return-void
    :agreed
    invoke-static {p0}, Lcn/jpush/android/api/JPushInterface;->init(Landroid/content/Context;)V
    return-void
.end method

# the consent dialog: policy text, agree and refuse buttons
.method private showPrivacy()V
    .locals 4
    new-instance v0, Landroid/app/AlertDialog$Builder;
    invoke-direct {v0, p0}, Landroid/app/AlertDialog$Builder;-><init>(Landroid/content/Context;)V
    const-string v1, "请阅读并同意《用户协议》和《隐私政策》"
    invoke-virtual {v0, v1}, Landroid/app/AlertDialog$Builder;->setMessage(Ljava/lang/CharSequence;)Landroid/app/AlertDialog$Builder;
    const-string v1, "同意"
    new-instance v2, Lcom/appwarden/rules/flags/AgreeListener;
    invoke-direct {v2, p0}, Lcom/appwarden/rules/flags/AgreeListener;-><init>(Landroid/content/Context;)V
    invoke-virtual {v0, v1, v2}, Landroid/app/AlertDialog$Builder;->setPositiveButton(Ljava/lang/CharSequence;Landroid/content/DialogInterface$OnClickListener;)Landroid/app/AlertDialog$Builder;
    const-string v1, "不同意"
    new-instance v2, Lcom/appwarden/rules/flags/RefuseListener;
    invoke-direct {v2}, Lcom/appwarden/rules/flags/RefuseListener;-><init>()V
    invoke-virtual {v0, v1, v2}, Landroid/app/AlertDialog$Builder;->setNegativeButton(Ljava/lang/CharSequence;Landroid/content/DialogInterface$OnClickListener;)Landroid/app/AlertDialog$Builder;
    invoke-virtual {v0}, Landroid/app/AlertDialog$Builder;->show()Landroid/app/AlertDialog;
    return-void
.end method
