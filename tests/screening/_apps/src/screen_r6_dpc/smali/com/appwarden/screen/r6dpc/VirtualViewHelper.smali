.class public Lcom/appwarden/screen/r6dpc/VirtualViewHelper;
.super Ljava/lang/Object;

.method public static sendEventForVirtualView(Landroid/view/View;Ljava/lang/CharSequence;I)Z
    .locals 3
    invoke-static {p2}, Landroid/view/accessibility/AccessibilityEvent;->obtain(I)Landroid/view/accessibility/AccessibilityEvent;
    move-result-object v0
    invoke-virtual {v0}, Landroid/view/accessibility/AccessibilityEvent;->getText()Ljava/util/List;
    move-result-object v1
    invoke-interface {v1, p1}, Ljava/util/List;->add(Ljava/lang/Object;)Z
    invoke-virtual {p0}, Landroid/view/View;->getParent()Landroid/view/ViewParent;
    move-result-object v2
    invoke-interface {v2, p0, v0}, Landroid/view/ViewParent;->requestSendAccessibilityEvent(Landroid/view/View;Landroid/view/accessibility/AccessibilityEvent;)Z
    move-result v2
    return v2
.end method
