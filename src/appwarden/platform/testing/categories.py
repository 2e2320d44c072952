"""The app category (应用类型) of a scan job: one of the 39类 types of ``knowledge/necessary_pi.yaml``.

The web upload form and the API offer the same choices (:func:`choices`) and validate with the engine's own
``appwarden.scan.category_key`` (:func:`normalise`), so a job never carries a category the engine would refuse.
A job without a category lets the engine infer one.
"""

from __future__ import annotations

from appwarden.errors import AppwardenError
from appwarden.platform.core.errors import UploadError


def _rows() -> list[tuple[str, str, str]]:
    """``(id, name_zh, name_en)`` per 39类 type, in id order."""
    from appwarden.scan import category_choices

    return category_choices()


def choices(blank: str = "（不指定，自动推断）not given: inferred") -> list[tuple[str, str]]:
    """Choices for forms and the API: ``("", blank)`` then ``(id, "N39-07 餐饮外卖类 food delivery")``."""
    return [("", blank), *((key, f"{key} {zh} {en}".strip()) for key, zh, en in _rows())]


def normalise(value: str | None) -> str:
    """The ``N39-xx`` id of a user-given category (id or name); ``""`` for none.

    Raises UploadError (Chinese first, one line) for a value that is not one of the 39 types.
    """
    value = (value or "").strip()
    if not value:
        return ""
    from appwarden.scan import category_key

    try:
        return category_key(value)
    except AppwardenError:
        raise UploadError(
            f"未知的应用类型 {value[:64]!r}：请从39类中选择（N39-01…N39-{len(_rows()):02d}） "
            "unknown app category: choose one of the 39 types"
        ) from None


CHOICES = choices()  # the API's enum (settings.SPECTACULAR_SETTINGS names it AppCategoryEnum)
