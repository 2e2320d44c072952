.class public Lcom/aw/t/Modes;
.super Ljava/lang/Object;

# dex/regs.reaching_values: which constants reach the mode argument of getSharedPreferences along the branches.

.method public static use(I)V
    .registers 1
    return-void
.end method

# if/else both write the register: both values reach the call (the last writer in file order is the else one, 0).
.method public static eitherWay(Z)V
    .registers 2
    if-eqz p0, :private
    const/4 v0, 0x1
    goto :call
    :private
    const/4 v0, 0x0
    :call
    invoke-static {v0}, Lcom/aw/t/Modes;->use(I)V
    return-void
.end method

# the write last in file order (1) is on a path that never reaches the second call: only 0 reaches it.
.method public static otherBranch(Z)V
    .registers 2
    const/4 v0, 0x0
    if-eqz p0, :private
    const/4 v0, 0x1
    invoke-static {v0}, Lcom/aw/t/Modes;->use(I)V
    return-void
    :private
    invoke-static {v0}, Lcom/aw/t/Modes;->use(I)V
    return-void
.end method

# one branch leaves the parameter in the register: the constant and UNKNOWN reach.
.method public static paramOrConstant(ZI)V
    .registers 3
    move v0, p1
    if-eqz p0, :call
    const/4 v0, 0x2
    :call
    invoke-static {v0}, Lcom/aw/t/Modes;->use(I)V
    return-void
.end method

# a loop: the register is rewritten inside it; the call after the loop sees the value before it and the one in it.
.method public static loop(I)V
    .registers 3
    const/4 v0, 0x0
    const/4 v1, 0x0
    :top
    if-ge v1, p0, :done
    const/4 v0, 0x1
    add-int/lit8 v1, v1, 0x1
    goto :top
    :done
    invoke-static {v0}, Lcom/aw/t/Modes;->use(I)V
    return-void
.end method

# a catch handler sees the value before the try block's writer too (the writer after a call that may throw).
.method public static caught()V
    .registers 2
    const/4 v0, 0x0
    :try_start
    invoke-static {v0}, Lcom/aw/t/Modes;->use(I)V
    const/4 v0, 0x1
    invoke-static {v0}, Lcom/aw/t/Modes;->use(I)V
    :try_end
    .catch Ljava/lang/Exception; {:try_start .. :try_end} :handler
    return-void
    :handler
    move-exception v1
    invoke-static {v0}, Lcom/aw/t/Modes;->use(I)V
    return-void
.end method

# a switch: each case writes its own constant.
.method public static switched(I)V
    .registers 2
    packed-switch p0, :cases
    const/4 v0, 0x0
    goto :call
    :one
    const/4 v0, 0x1
    goto :call
    :two
    const/4 v0, 0x2
    :call
    invoke-static {v0}, Lcom/aw/t/Modes;->use(I)V
    return-void
    :cases
    .packed-switch 0x1
        :one
        :two
    .end packed-switch
.end method
