.class public Lcom/appwarden/screen/r5clean/SettingsActivity;
.super Landroid/app/Activity;

# not a launcher activity: disabling itself hides no icon

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method protected onCreate(Landroid/os/Bundle;)V
    .registers 2
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    invoke-direct {p0}, Lcom/appwarden/screen/r5clean/SettingsActivity;->hideIcon()V
    return-void
.end method

.method private hideIcon()V
    .registers 5
    invoke-virtual {p0}, Lcom/appwarden/screen/r5clean/SettingsActivity;->getPackageManager()Landroid/content/pm/PackageManager;
    move-result-object v0
    invoke-virtual {p0}, Lcom/appwarden/screen/r5clean/SettingsActivity;->getComponentName()Landroid/content/ComponentName;
    move-result-object v1
    const/4 v2, 0x2
    const/4 v3, 0x1
    invoke-virtual {v0, v1, v2, v3}, Landroid/content/pm/PackageManager;->setComponentEnabledSetting(Landroid/content/ComponentName;II)V
    return-void
.end method
