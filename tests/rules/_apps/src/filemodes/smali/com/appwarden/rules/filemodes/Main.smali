.class public Lcom/appwarden/rules/filemodes/Main;
.super Landroid/app/Activity;

# sec.world_readable: the mode is the call's second argument, read from its register (not the method's literals).

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

# MODE_PRIVATE (0) next to an array index 1 (android.support's ActivityChooserModel idiom): no finding.
.method public privateNextToIndex([Ljava/lang/Object;)V
    .locals 3
    const/4 v0, 0x1
    aget-object v1, p1, v0
    check-cast v1, Ljava/lang/String;
    const/4 v2, 0x0
    invoke-virtual {p0, v1, v2}, Landroid/content/Context;->openFileOutput(Ljava/lang/String;I)Ljava/io/FileOutputStream;
    return-void
.end method

# MODE_WORLD_WRITEABLE (2) passed to getSharedPreferences: a finding, the mode resolved.
.method public worldWriteable()V
    .locals 2
    const-string v0, "shared"
    const/4 v1, 0x2
    invoke-virtual {p0, v0, v1}, Landroid/content/Context;->getSharedPreferences(Ljava/lang/String;I)Landroid/content/SharedPreferences;
    return-void
.end method

# The mode comes from the caller (a parameter): not resolved. The method also holds the literal 1 (an array index):
# kept as a lead, possible, marked unresolved.
.method public modeFromCaller([Ljava/lang/String;I)V
    .locals 2
    const/4 v0, 0x1
    aget-object v1, p1, v0
    invoke-virtual {p0, v1, p2}, Landroid/content/Context;->getDir(Ljava/lang/String;I)Ljava/io/File;
    return-void
.end method

.method protected onCreate(Landroid/os/Bundle;)V
    .locals 2
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    const/4 v0, 0x0
    invoke-virtual {p0, v0}, Lcom/appwarden/rules/filemodes/Main;->privateNextToIndex([Ljava/lang/Object;)V
    invoke-virtual {p0}, Lcom/appwarden/rules/filemodes/Main;->worldWriteable()V
    return-void
.end method

# Branches (the mode read along the control-flow graph, every reaching definition):
# MODE_WORLD_READABLE is written last in file order but on the path that returns early; the getSharedPreferences
# call after the branch only ever gets MODE_PRIVATE: no finding for it (the early call with 1 is one).
.method public worldOnOtherPath(Z)V
    .locals 2
    const-string v0, "prefs"
    const/4 v1, 0x0
    if-eqz p1, :private
    const/4 v1, 0x1
    invoke-virtual {p0, v0, v1}, Landroid/content/Context;->openFileOutput(Ljava/lang/String;I)Ljava/io/FileOutputStream;
    return-void
    :private
    invoke-virtual {p0, v0, v1}, Landroid/content/Context;->getSharedPreferences(Ljava/lang/String;I)Landroid/content/SharedPreferences;
    return-void
.end method

# MODE_WORLD_READABLE on one branch, MODE_PRIVATE (last in file order) on the other: a lead on some paths.
.method public worldOnOneBranch(Z)V
    .locals 2
    const-string v0, "cache"
    if-eqz p1, :private
    const/4 v1, 0x1
    goto :open
    :private
    const/4 v1, 0x0
    :open
    invoke-virtual {p0, v0, v1}, Landroid/content/Context;->openOrCreateDatabase(Ljava/lang/String;ILandroid/database/sqlite/SQLiteDatabase$CursorFactory;)Landroid/database/sqlite/SQLiteDatabase;
    return-void
.end method

# World-readable on one branch, world-writeable on the other: resolved on every path, both modes named.
.method public worldEitherWay(Z)V
    .locals 2
    const-string v0, "shared2"
    if-eqz p1, :writeable
    const/4 v1, 0x1
    goto :open
    :writeable
    const/4 v1, 0x2
    :open
    invoke-virtual {p0, v0, v1}, Landroid/content/Context;->getSharedPreferences(Ljava/lang/String;I)Landroid/content/SharedPreferences;
    return-void
.end method
