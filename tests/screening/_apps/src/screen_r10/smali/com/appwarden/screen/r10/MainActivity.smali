.class public Lcom/appwarden/screen/r10/MainActivity;
.super Landroid/app/Activity;

# r10: nothing here; the overlay service does the harm.

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method
