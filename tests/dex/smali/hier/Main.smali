.class public Lcom/aw/h/Main;
.super Landroid/app/Activity;

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

# interface call (two implementors), virtual call with two overrides below, inherited implementations
.method public onCreate(Landroid/os/Bundle;)V
    .registers 4
    const/4 v0, 0x0
    invoke-interface {v0}, Lcom/aw/h/Sink;->put()V
    invoke-virtual {v0}, Lcom/aw/h/Animal;->speak()V
    invoke-virtual {v0}, Lcom/aw/h/Cat;->speak()V
    invoke-virtual/range {v0 .. v0}, Lcom/aw/h/Puppy;->walk()V
    invoke-virtual {v0}, Lcom/aw/h/Dog;->bark()V
    return-void
.end method

# the same interface reference again: shares the virtual node
.method public unreached()V
    .registers 2
    const/4 v0, 0x0
    invoke-interface/range {v0 .. v0}, Lcom/aw/h/Sink;->put()V
    invoke-virtual {v0}, Lcom/aw/h/Puppy;->yelp()V
    return-void
.end method

# one override below Dog: a single extra target
.method public twice()V
    .registers 2
    const/4 v0, 0x0
    invoke-virtual {v0}, Lcom/aw/h/Dog;->speak()V
    invoke-virtual {v0}, Lcom/aw/h/Dog;->speak()V
    return-void
.end method
