.class public Lcom/appwarden/rules/consentresok/AboutActivity;
.super Landroid/app/Activity;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

# a settings screen titled @string/privacy_title (隐私政策) with no agree button: not a consent dialog
.method protected onCreate(Landroid/os/Bundle;)V
    .locals 1
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    const v0, 0x7f030001
    invoke-virtual {p0, v0}, Landroid/app/Activity;->setTitle(I)V
    return-void
.end method
