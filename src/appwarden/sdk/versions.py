"""Read an SDK's version from the bytecode: the initial value of a ``static final String`` field.

SDKs record their version as a compile-time constant (``BuildConfig.VERSION_NAME``,
``JPushInterface.SDK_VERSION``...). javac inlines such constants at their use sites, so the reliable place to read
them is the declaring class's ``static_values`` (the DEX ``encoded_array`` holding the initial values of its static
fields, in ``class_data`` order). :func:`static_field_value` decodes exactly that, for one field of one class,
through the DEX engine's ``DexFile`` (``data``, ``class_def``, ``field_name``, ``string``); any malformed or
missing structure gives ``None``, never an exception.
"""

from __future__ import annotations

from typing import Any

_VALUE_SIZES_FIXED = {0x00, 0x02, 0x03, 0x04, 0x06, 0x10, 0x11, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B}
_STRING = 0x17
_ARRAY, _ANNOTATION, _NULL, _BOOLEAN = 0x1C, 0x1D, 0x1E, 0x1F
_MAX_VALUES = 65536


class _Malformed(Exception):
    pass


def _uleb(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    for _ in range(5):
        if pos >= len(data):
            raise _Malformed
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
    raise _Malformed


def _skip_value(data: bytes, pos: int, depth: int = 0) -> int:
    if depth > 8 or pos >= len(data):
        raise _Malformed
    header = data[pos]
    vtype, varg = header & 0x1F, header >> 5
    pos += 1
    if vtype in _VALUE_SIZES_FIXED:
        return pos + varg + 1
    if vtype in (_NULL, _BOOLEAN):
        return pos
    if vtype == _ARRAY:
        size, pos = _uleb(data, pos)
        if size > _MAX_VALUES:
            raise _Malformed
        for _ in range(size):
            pos = _skip_value(data, pos, depth + 1)
        return pos
    if vtype == _ANNOTATION:
        _type, pos = _uleb(data, pos)
        size, pos = _uleb(data, pos)
        if size > _MAX_VALUES:
            raise _Malformed
        for _ in range(size):
            _name, pos = _uleb(data, pos)
            pos = _skip_value(data, pos, depth + 1)
        return pos
    raise _Malformed


def _locate(code: Any, desc: str) -> tuple[Any, int] | None:
    """(DexFile, class_def index) of an app class, through the CodeIndex."""
    class_map = getattr(code, "_class_map", None)
    if isinstance(class_map, dict):
        where = class_map.get(desc)
        if where is None:
            return None
        ci, cdi = where
        return code.codes[ci].dex, cdi
    for dex_code in getattr(code, "codes", ()):  # fallback: linear search
        try:
            return dex_code.dex, dex_code.dex.class_descriptors.index(desc)
        except ValueError:
            continue
    return None


def static_field_value(code: Any, class_desc: str, field: str) -> str | None:
    """The constant string initial value of static field ``field`` of ``class_desc`` (``Lcom/x/BuildConfig;``)."""
    try:
        found = _locate(code, class_desc)
        if found is None:
            return None
        dex, cdi = found
        data: bytes = dex.data
        row = dex.class_def(cdi)
        class_data_off, static_values_off = row[6], row[7]
        if not class_data_off or not static_values_off:
            return None
        n_static, pos = _uleb(data, class_data_off)
        for _ in range(3):  # instance fields, direct methods, virtual methods counts
            _n, pos = _uleb(data, pos)
        field_idx = 0
        wanted = -1
        for i in range(min(n_static, _MAX_VALUES)):
            diff, pos = _uleb(data, pos)
            _flags, pos = _uleb(data, pos)
            field_idx += diff
            if dex.string(dex.field_name[field_idx]) == field:
                wanted = i
                break
        if wanted < 0:
            return None
        size, pos = _uleb(data, static_values_off)
        if wanted >= size:
            return None  # no explicit initial value: default (null)
        for _ in range(wanted):
            pos = _skip_value(data, pos)
        header = data[pos]
        vtype, varg = header & 0x1F, header >> 5
        if vtype != _STRING:
            return None
        idx = int.from_bytes(data[pos + 1 : pos + 2 + varg], "little")
        value = dex.string(idx)
        return value if isinstance(value, str) else None
    except Exception:
        return None
