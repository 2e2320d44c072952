.class public Lcom/appwarden/screen/r5clean/SettingsListener;
.super Ljava/lang/Object;
.implements Landroid/preference/Preference$OnPreferenceChangeListener;

# the user's own "hide app icon" switch: disables the launcher activity from a preference callback

.field private final context:Landroid/content/Context;

.method public constructor <init>(Landroid/content/Context;)V
    .registers 2
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    iput-object p1, p0, Lcom/appwarden/screen/r5clean/SettingsListener;->context:Landroid/content/Context;
    return-void
.end method

.method public onPreferenceChange(Landroid/preference/Preference;Ljava/lang/Object;)Z
    .registers 7
    iget-object v0, p0, Lcom/appwarden/screen/r5clean/SettingsListener;->context:Landroid/content/Context;
    invoke-virtual {v0}, Landroid/content/Context;->getPackageManager()Landroid/content/pm/PackageManager;
    move-result-object v1
    new-instance v2, Landroid/content/ComponentName;
    const-class v3, Lcom/appwarden/screen/r5clean/MainActivity;
    invoke-direct {v2, v0, v3}, Landroid/content/ComponentName;-><init>(Landroid/content/Context;Ljava/lang/Class;)V
    const/4 v3, 0x2
    const/4 v4, 0x1
    invoke-virtual {v1, v2, v3, v4}, Landroid/content/pm/PackageManager;->setComponentEnabledSetting(Landroid/content/ComponentName;II)V
    const/4 v0, 0x1
    return v0
.end method
