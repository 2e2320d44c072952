.class public Lcom/android/vending/licensing/ServerManagedPolicy;
.super Ljava/lang/Object;

# stands for Google's License Verification Library, which ordinary apps embed under com.android.vending.licensing
.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method
