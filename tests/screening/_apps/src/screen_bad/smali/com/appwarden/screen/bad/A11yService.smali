.class public Lcom/appwarden/screen/bad/A11yService;
.super Landroid/accessibilityservice/AccessibilityService;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/accessibilityservice/AccessibilityService;-><init>()V
    return-void
.end method

.method public onAccessibilityEvent(Landroid/view/accessibility/AccessibilityEvent;)V
    .locals 2
    invoke-virtual {p1}, Landroid/view/accessibility/AccessibilityEvent;->getText()Ljava/util/List;
    invoke-virtual {p0}, Lcom/appwarden/screen/bad/A11yService;->getRootInActiveWindow()Landroid/view/accessibility/AccessibilityNodeInfo;
    move-result-object v0
    const/16 v1, 0x10
    invoke-virtual {v0, v1}, Landroid/view/accessibility/AccessibilityNodeInfo;->performAction(I)Z
    const/4 v1, 0x1
    invoke-virtual {p0, v1}, Lcom/appwarden/screen/bad/A11yService;->performGlobalAction(I)Z
    return-void
.end method

.method public onInterrupt()V
    .locals 0
    return-void
.end method
