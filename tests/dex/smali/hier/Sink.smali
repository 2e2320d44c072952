.class public interface abstract Lcom/aw/h/Sink;
.super Ljava/lang/Object;

.method public abstract put()V
.end method
