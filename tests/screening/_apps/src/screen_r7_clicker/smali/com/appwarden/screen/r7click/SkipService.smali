.class public Lcom/appwarden/screen/r7click/SkipService;
.super Landroid/accessibilityservice/AccessibilityService;

# reads the active window and the event's text, clicks a node: the accessibility cluster of an auto-clicker

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/accessibilityservice/AccessibilityService;-><init>()V
    return-void
.end method

.method public onAccessibilityEvent(Landroid/view/accessibility/AccessibilityEvent;)V
    .locals 3
    invoke-virtual {p1}, Landroid/view/accessibility/AccessibilityEvent;->getText()Ljava/util/List;
    invoke-virtual {p0}, Lcom/appwarden/screen/r7click/SkipService;->getRootInActiveWindow()Landroid/view/accessibility/AccessibilityNodeInfo;
    move-result-object v0
    if-eqz v0, :done
    const-string v1, "\u8df3\u8fc7"
    invoke-virtual {v0, v1}, Landroid/view/accessibility/AccessibilityNodeInfo;->findAccessibilityNodeInfosByText(Ljava/lang/String;)Ljava/util/List;
    const/16 v2, 0x10
    invoke-virtual {v0, v2}, Landroid/view/accessibility/AccessibilityNodeInfo;->performAction(I)Z
    :done
    return-void
.end method

.method public onInterrupt()V
    .locals 0
    return-void
.end method
