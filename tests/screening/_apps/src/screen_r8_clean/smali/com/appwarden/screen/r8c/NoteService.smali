.class public Lcom/appwarden/screen/r8c/NoteService;
.super Landroid/app/Service;

# r8_clean: a note window closed when the typed text is a sentence ("Try again later") or only punctuation
# ("!!!"): neither is an unlock code.

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Service;-><init>()V
    return-void
.end method

.method public onBind(Landroid/content/Intent;)Landroid/os/IBinder;
    .registers 2
    const/4 v0, 0x0
    return-object v0
.end method

.method public onCreate()V
    .registers 8
    invoke-super {p0}, Landroid/app/Service;->onCreate()V
    const-string v0, "window"
    invoke-virtual {p0, v0}, Lcom/appwarden/screen/r8c/NoteService;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/view/WindowManager;
    new-instance v1, Landroid/view/WindowManager$LayoutParams;
    const/4 v2, -0x2
    const/4 v3, -0x2
    const/16 v4, 0x7f6
    const/16 v5, 0x8
    const/4 v6, -0x3
    invoke-direct/range {v1 .. v6}, Landroid/view/WindowManager$LayoutParams;-><init>(IIIII)V
    new-instance v2, Landroid/view/View;
    invoke-direct {v2, p0}, Landroid/view/View;-><init>(Landroid/content/Context;)V
    invoke-interface {v0, v2, v1}, Landroid/view/WindowManager;->addView(Landroid/view/View;Landroid/view/ViewGroup$LayoutParams;)V
    return-void
.end method

.method public dismiss(Landroid/widget/EditText;Landroid/view/View;)V
    .registers 7
    const-string v0, "window"
    invoke-virtual {p0, v0}, Lcom/appwarden/screen/r8c/NoteService;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/view/WindowManager;
    invoke-virtual {p1}, Landroid/widget/EditText;->getText()Landroid/text/Editable;
    move-result-object v1
    invoke-virtual {v1}, Ljava/lang/Object;->toString()Ljava/lang/String;
    move-result-object v1
    const-string v2, "Try again later"
    invoke-virtual {v1, v2}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
    move-result v3
    if-nez v3, :close
    const-string v2, "!!!"
    invoke-virtual {v1, v2}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
    move-result v3
    if-eqz v3, :done
    :close
    invoke-interface {v0, p2}, Landroid/view/WindowManager;->removeView(Landroid/view/View;)V
    :done
    return-void
.end method
