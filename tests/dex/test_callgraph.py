"""Call graph: direct, class-hierarchy and async edges; reachability with paths."""

from __future__ import annotations

from appwarden.dex.index import build_index

ON_CREATE = "Lcom/aw/t/Graph;->onCreate(Landroid/os/Bundle;)V"


def test_direct_hierarchy_and_async_edges(main_dex: bytes) -> None:
    cg = build_index([("classes.dex", main_dex)]).callgraph
    callees = cg.callees(ON_CREATE)
    assert "Ljava/lang/Thread;->start()V" in callees
    assert "Lcom/aw/t/Job;->run()V" in callees  # Thread(new Job()).start()
    assert (
        "Lcom/aw/t/Task;->doInBackground([Ljava/lang/Object;)Ljava/lang/Object;" in callees
    )  # AsyncTask.execute
    assert "Lcom/aw/t/Base;->work()V" in callees  # direct reference
    assert "Lcom/aw/t/Sub;->work()V" in callees  # override in an app subclass
    assert "Lcom/aw/t/Job;->run()V" in cg.callees("Lcom/aw/t/Graph;->onHandler(Landroid/os/Handler;)V")
    assert ON_CREATE in cg.callers("Lcom/aw/t/Sub;->work()V")


def test_reachable_and_path(main_dex: bytes) -> None:
    cg = build_index([("classes.dex", main_dex)]).callgraph
    seen = cg.reachable([ON_CREATE])
    assert seen[ON_CREATE] is None
    get_string = (
        "Landroid/provider/Settings$Secure;->getString(Landroid/content/ContentResolver;Ljava/lang/String;)"
        "Ljava/lang/String;"
    )
    assert cg.path([ON_CREATE], get_string) == [
        ON_CREATE,
        "Lcom/aw/t/Job;->run()V",
        "Lcom/aw/t/Pi;->androidId(Landroid/content/ContentResolver;)Ljava/lang/String;",
        get_string,
    ]
    gyro = "Landroid/hardware/SensorManager;->getDefaultSensor(I)Landroid/hardware/Sensor;"
    assert cg.path([ON_CREATE], gyro)[1] == "Lcom/aw/t/Sub;->work()V"
    assert "Lcom/aw/t/Graph;->unreached()V" not in seen
    assert cg.path([ON_CREATE], "Lcom/aw/t/Graph;->unreached()V") is None
    assert cg.path([], ON_CREATE) is None


def test_cross_dex_path(multidex_blobs) -> None:
    cg = build_index(multidex_blobs).callgraph
    path = cg.path(
        ["Lcom/appwarden/fixture/multidex/Main;->onCreate(Landroid/os/Bundle;)V"],
        "Landroid/location/LocationManager;->getLastKnownLocation(Ljava/lang/String;)Landroid/location/Location;",
    )
    assert path is not None and len(path) == 3
    assert path[1].startswith("Lcom/appwarden/fixture/multidex/second/Locator;->locate(")
