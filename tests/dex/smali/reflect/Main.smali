.class public Lcom/aw/r/Main;
.super Ljava/lang/Object;

# forName(const) + getMethod(const): edges to both hit overloads and Target.<clinit>, not to miss
.method public static pos()V
    .registers 4
    const-string v0, "com.aw.r.Target"
    invoke-static {v0}, Ljava/lang/Class;->forName(Ljava/lang/String;)Ljava/lang/Class;
    move-result-object v0
    const-string v1, "hit"
    const/4 v2, 0x0
    new-array v2, v2, [Ljava/lang/Class;
    invoke-virtual {v0, v1, v2}, Ljava/lang/Class;->getMethod(Ljava/lang/String;[Ljava/lang/Class;)Ljava/lang/reflect/Method;
    return-void
.end method

# ClassLoader.loadClass(const) + getDeclaredMethod(const): an edge to Other.go (Other has no <clinit>)
.method public static loader(Ljava/lang/ClassLoader;)V
    .registers 5
    const-string v0, "com.aw.r.Other"
    invoke-virtual {p0, v0}, Ljava/lang/ClassLoader;->loadClass(Ljava/lang/String;)Ljava/lang/Class;
    move-result-object v0
    const-string v1, "go"
    const/4 v2, 0x0
    new-array v2, v2, [Ljava/lang/Class;
    invoke-virtual {v0, v1, v2}, Ljava/lang/Class;->getDeclaredMethod(Ljava/lang/String;[Ljava/lang/Class;)Ljava/lang/reflect/Method;
    return-void
.end method

# names from parameters: no edge
.method public static nonConst(Ljava/lang/String;Ljava/lang/String;)V
    .registers 5
    invoke-static {p0}, Ljava/lang/Class;->forName(Ljava/lang/String;)Ljava/lang/Class;
    move-result-object v0
    const/4 v2, 0x0
    new-array v2, v2, [Ljava/lang/Class;
    invoke-virtual {v0, p1, v2}, Ljava/lang/Class;->getMethod(Ljava/lang/String;[Ljava/lang/Class;)Ljava/lang/reflect/Method;
    return-void
.end method

# a class the app does not define, a name no method of Target has, and a descriptor-form name: no edge
.method public static absent()V
    .registers 4
    const-string v0, "java.lang.Runtime"
    invoke-static {v0}, Ljava/lang/Class;->forName(Ljava/lang/String;)Ljava/lang/Class;
    const-string v0, "com.aw.r.Target"
    invoke-static {v0}, Ljava/lang/Class;->forName(Ljava/lang/String;)Ljava/lang/Class;
    const-string v0, "com/aw/r/Other"
    invoke-static {v0}, Ljava/lang/Class;->forName(Ljava/lang/String;)Ljava/lang/Class;
    move-result-object v0
    const-string v1, "exec"
    const-string v1, "nothere"
    const-string v1, "alone"
    const/4 v2, 0x0
    new-array v2, v2, [Ljava/lang/Class;
    invoke-virtual {v0, v1, v2}, Ljava/lang/Class;->getMethod(Ljava/lang/String;[Ljava/lang/Class;)Ljava/lang/reflect/Method;
    return-void
.end method

# the class name in one method, the method name in another: no edge from either
.method public static onlyClass()Ljava/lang/Class;
    .registers 1
    const-string v0, "com.aw.r.Other"
    invoke-static {v0}, Ljava/lang/Class;->forName(Ljava/lang/String;)Ljava/lang/Class;
    move-result-object v0
    return-object v0
.end method

.method public static onlyName()V
    .registers 4
    invoke-static {}, Lcom/aw/r/Main;->onlyClass()Ljava/lang/Class;
    move-result-object v0
    const-string v1, "go"
    const/4 v2, 0x0
    new-array v2, v2, [Ljava/lang/Class;
    invoke-virtual {v0, v1, v2}, Ljava/lang/Class;->getMethod(Ljava/lang/String;[Ljava/lang/Class;)Ljava/lang/reflect/Method;
    return-void
.end method
