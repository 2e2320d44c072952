"""Pre-listing checks (上架前检测) for app stores: a store submits an APK with its listing metadata before listing it."""
