.class public Lcom/appwarden/rules/navprefs/SettingsFragment;
.super Landroid/preference/PreferenceFragment;
.source "SettingsFragment.java"

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/preference/PreferenceFragment;-><init>()V
    return-void
.end method

.method public onCreate(Landroid/os/Bundle;)V
    .registers 3
    invoke-super {p0, p1}, Landroid/preference/PreferenceFragment;->onCreate(Landroid/os/Bundle;)V
    const v0, 0x7f040000
    invoke-virtual {p0, v0}, Landroid/preference/PreferenceFragment;->addPreferencesFromResource(I)V
    return-void
.end method
