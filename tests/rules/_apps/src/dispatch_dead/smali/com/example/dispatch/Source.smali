.class public interface abstract Lcom/example/dispatch/Source;
.super Ljava/lang/Object;

.method public abstract get(Landroid/content/Context;)Ljava/lang/String;
.end method
