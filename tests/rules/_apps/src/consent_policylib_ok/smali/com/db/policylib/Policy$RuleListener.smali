.class public interface abstract Lcom/db/policylib/Policy$RuleListener;
.super Ljava/lang/Object;

.method public abstract rule(Z)V
.end method

.method public abstract oneClick()V
.end method

.method public abstract twoClick()V
.end method
