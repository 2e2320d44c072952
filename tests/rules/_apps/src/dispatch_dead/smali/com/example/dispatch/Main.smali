.class public Lcom/example/dispatch/Main;
.super Landroid/app/Activity;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

# Source.get is called on a Constant only; the ImeiReader is created and printed, its get() never runs.
.method protected onCreate(Landroid/os/Bundle;)V
    .locals 3
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    new-instance v0, Lcom/example/dispatch/Constant;
    invoke-direct {v0}, Lcom/example/dispatch/Constant;-><init>()V
    invoke-interface {v0, p0}, Lcom/example/dispatch/Source;->get(Landroid/content/Context;)Ljava/lang/String;
    move-result-object v1
    new-instance v2, Lcom/example/dispatch/ImeiReader;
    invoke-direct {v2}, Lcom/example/dispatch/ImeiReader;-><init>()V
    sget-object v0, Ljava/lang/System;->out:Ljava/io/PrintStream;
    invoke-virtual {v0, v2}, Ljava/io/PrintStream;->println(Ljava/lang/Object;)V
    return-void
.end method
