.class public Lcom/appwarden/screen/r6dpc/LabelView;
.super Landroid/view/View;

# The app's own view adding its label to the accessibility event the framework asks it to populate (as
# ActionBarSherlock's views do): the event is this view's, so reading its text list is no capture of other apps.

.method public constructor <init>(Landroid/content/Context;)V
    .locals 0
    invoke-direct {p0, p1}, Landroid/view/View;-><init>(Landroid/content/Context;)V
    return-void
.end method

.method public onPopulateAccessibilityEvent(Landroid/view/accessibility/AccessibilityEvent;)V
    .locals 2
    invoke-super {p0, p1}, Landroid/view/View;->onPopulateAccessibilityEvent(Landroid/view/accessibility/AccessibilityEvent;)V
    invoke-virtual {p1}, Landroid/view/accessibility/AccessibilityEvent;->getText()Ljava/util/List;
    move-result-object v0
    const-string v1, "label"
    invoke-interface {v0, v1}, Ljava/util/List;->add(Ljava/lang/Object;)Z
    return-void
.end method
