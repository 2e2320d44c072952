.class public Lcom/appwarden/screen/r10c/MimeTable;
.super Ljava/lang/Object;

# r10 clean (round ten): a file manager's icon lookup names the APK MIME type to pick an icon; it gives the type
# to no intent, so it installs nothing (dropper.install_apk's strings_with_any).

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public static iconFor(Ljava/lang/String;)I
    .registers 3
    const-string v0, "application/vnd.android.package-archive"
    invoke-virtual {v0, p0}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
    move-result v1
    if-eqz v1, :other
    const/4 v1, 0x2
    return v1
    :other
    const/4 v1, 0x1
    return v1
.end method
