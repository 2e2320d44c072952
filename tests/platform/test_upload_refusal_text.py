"""The upload check's refusal names the problem once (core/uploadcheck.py ``check_upload``).

The APK reader's messages already begin with "not an APK: "; the refusal shown to a store or a company on the
upload page and in the API's 400 must not say it twice, and a file over the size limit is refused as over a limit,
not as "not an APK".
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from appwarden.platform.core.uploadcheck import check_upload


def test_not_a_zip_is_refused_once(tmp_path: Path) -> None:
    junk = tmp_path / "junk.apk"
    junk.write_bytes(b"\x7fELF" + b"\x00" * 4000)
    refused = check_upload(str(junk))["refused"]
    assert refused.startswith("不是APK文件 not an APK: ")
    assert refused.count("not an APK") == 1, refused
    assert "end-of-central-directory" in refused


def test_zip_without_manifest_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plain.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hi")
    assert check_upload(str(path)) == {
        "refused": "不是APK文件 not an APK: the zip has no AndroidManifest.xml"
    }


def test_over_the_size_limit_is_not_called_not_an_apk(tmp_path: Path, monkeypatch) -> None:
    import appwarden.limits as limits

    path = tmp_path / "big.apk"
    path.write_bytes(b"PK" + b"\x00" * 5000)
    monkeypatch.setattr(limits, "DEFAULT_LIMITS", limits.DEFAULT_LIMITS.__class__(max_apk_size=1000))
    refused = check_upload(str(path))["refused"]
    assert refused.startswith("超出上传限制 over a limit: ")
    assert "not an APK" not in refused
