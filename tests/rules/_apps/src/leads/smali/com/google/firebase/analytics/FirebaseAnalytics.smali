.class public Lcom/google/firebase/analytics/FirebaseAnalytics;
.super Ljava/lang/Object;

# ruleid: policy.cross_border.undisclosed — an overseas analytics SDK (KB chinese: false) with PI collection
.method public static getInstance(Landroid/content/Context;)Lcom/google/firebase/analytics/FirebaseAnalytics;
    .registers 2
    const/4 v0, 0x0
    return-object v0
.end method
