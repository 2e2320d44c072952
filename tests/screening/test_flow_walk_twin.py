"""The data-flow walk over decoded method programs (issue #19) against the walk it replaced, kept here verbatim as
the oracle: a walk over the raw code units in file order, one instruction at a time. Both must give the same
summaries, counters, source sites and leaks on the fixture apps and on fuzzed bytecode (random instructions written
over the fixture apps' method bodies, random labels in the parameters)."""

from __future__ import annotations

import itertools
import random
import struct
from pathlib import Path
from typing import Any

import pytest

from appwarden.dex.index import ACC_STATIC
from appwarden.dex.records import METHOD_WORDS, OP_INVOKE_STATIC, WIDTH, invoke_registers_at
from appwarden.dex.regs import _payload_width
from appwarden.limits import DEFAULT_LIMITS, check_deadline
from appwarden.scan import _static_stage
from appwarden.screening import flow
from appwarden.screening.content import ScreenContext
from appwarden.screening.flow import (
    _CARRIERS,
    _IGET,
    _IPUT,
    _K_AGET,
    _K_APUT,
    _K_BINOP,
    _K_BINOP_2ADDR,
    _K_BINOP_LIT8,
    _K_BINOP_LIT16,
    _K_BRANCH,
    _K_CLEAR,
    _K_CLEAR_A,
    _K_CMP,
    _K_CONST_CLASS,
    _K_CONST_STRING,
    _K_FILLED,
    _K_GET,
    _K_INVOKE,
    _K_MOVE_12X,
    _K_MOVE_22X,
    _K_MOVE_32X,
    _K_MOVE_OBJECT,
    _K_MOVE_RESULT,
    _K_PUT,
    _K_RETURN,
    _K_UNOP,
    _KIND,
    _NET_STREAMS,
    _S16,
    _S32,
    _START,
    _U16,
    _U32,
    EMPTY,
    QUERY_APIS,
    SOURCE_APIS,
    FlowAnalysis,
    Labels,
    Sink,
    Summary,
    _cap,
    _const_labels,
    _key,
)

APPS = Path(__file__).resolve().parent / "_apps"


@pytest.fixture(params=["python", "c"])
def backend(request: pytest.FixtureRequest) -> str:
    """Both walks: the Python one over tuple programs, and the C kernel (when it is built)."""
    if request.param == "c" and flow._KERNEL is None:
        pytest.skip("the _flow extension is not built (or the Python backend is forced)")
    return request.param


def _new(ctx: Any, backend: str) -> FlowAnalysis:
    analysis = FlowAnalysis(ctx)
    analysis.kernel = flow._KERNEL if backend == "c" else None
    return analysis


class Reference(FlowAnalysis):
    """The analysis with the former walk (``analyse`` and ``_invoke`` as they were before the programs)."""

    def analyse(self, desc: str, params: list[Labels], depth: int) -> Summary | None:
        """Walk one method; ``params``: labels of its parameter registers (``this`` first), empty for a root."""
        if self.analyses >= flow.MAX_METHODS or self.units >= flow.MAX_UNITS:
            self.truncated = True
            return None
        found = self._record(desc)
        if found is None:
            return None
        code, r = found
        self.analyses += 1
        check_deadline()
        code_off = code.methods[r * METHOD_WORDS + 3]
        data = code.dex.data
        try:
            nregs, nins = _U16.unpack_from(data, code_off)[0], _U16.unpack_from(data, code_off + 2)[0]
            insns_size = _U32.unpack_from(data, code_off + 12)[0]
        except struct.error:
            return None
        start = code_off + 16
        if insns_size > flow.MAX_INSNS or start + insns_size * 2 > len(data) or nins > nregs:
            return None
        self.units += insns_size
        first = nregs - nins
        this = -1 if code.methods[r * METHOD_WORDS + 2] & ACC_STATIC else first
        initial: dict[int, Labels] = {}
        for k in range(min(nins, len(params))):
            if params[k]:
                initial[first + k] = params[k]
        if not params and desc.endswith("onLocationChanged(Landroid/location/Location;)V") and nins >= 2:
            lab = self._site_label("location", desc, desc, code.name, code_off)
            initial[first + 1] = frozenset({lab})
        out = Summary()
        ret: set[str] = set()
        dex = code.dex
        back: dict[int, list[dict[int, Labels]]] = {}  # loop head -> register states at its back edges
        # a second walk when the method loops: what a loop body made reaches the loop's head
        for walk_no in range(2):
            if walk_no:
                if not back or self.units >= flow.MAX_UNITS:
                    break
                self.units += insns_size
            regs: dict[int, Labels] = dict(initial)
            result: Labels = EMPTY
            pc = 0
            # register -> object id, shared by the registers a move-object copied it to
            objs: dict[int, int] = {}
            ids = itertools.count()
            # branch target -> register states jumping there: forward branches, and on the second walk back edges
            joins: dict[int, list[dict[int, Labels]]] = (
                {t: list(v) for t, v in back.items()} if walk_no else {}
            )

            def put(
                reg: int, labels: Labels, regs: dict[int, Labels] = regs, objs: dict[int, int] = objs
            ) -> None:
                regs[reg] = labels
                objs.pop(reg, None)

            def carry(
                reg: int, labels: Labels, regs: dict[int, Labels] = regs, objs: dict[int, int] = objs
            ) -> None:
                """The object in ``reg`` now holds ``labels``: so does every register holding the same object."""
                oid = objs.get(reg)
                for r2 in [r for r, o in objs.items() if o == oid] if oid is not None else [reg]:
                    regs[r2] = _cap(regs.get(r2, EMPTY) | labels)
                regs[reg] = _cap(regs.get(reg, EMPTY) | labels)

            while pc < insns_size:
                if pc in joins:  # a forward branch lands here: what its registers held may still hold
                    for snap in joins.pop(pc):
                        for reg, labels in snap.items():
                            cur = regs.get(reg, EMPTY)
                            if not labels <= cur:
                                regs[reg] = _cap(cur | labels)
                p = start + pc * 2
                op, b1 = data[p], data[p + 1]
                remaining = insns_size - pc
                width = _payload_width(data, p, b1, remaining) if op == 0 else WIDTH[op]
                if width > remaining or width == 0:
                    break
                here = pc
                pc += width
                last, result = result, EMPTY
                kind = _KIND[op]
                # _K_OTHER (0): switch, check-cast, monitor, throw, nop ... write no register we track
                if not kind:
                    continue
                get = regs.get
                if kind == _K_INVOKE:
                    result = self._invoke_ref(code, desc, op, data, p, b1, regs, out, depth, this, carry)
                    continue
                if kind == _K_BRANCH:  # goto*, if-*: remember the state at the target
                    if op == 0x28:
                        delta = b1 - 256 if b1 & 0x80 else b1
                    elif op == 0x2A:
                        delta = _S32.unpack_from(data, p + 2)[0]
                    else:
                        delta = _S16.unpack_from(data, p + 2)[0]
                    target = here + delta
                    if here < target < insns_size and len(joins) < flow.MAX_JOINS and regs:
                        joins.setdefault(target, []).append(dict(regs))
                    elif 0 <= target < here and not walk_no and len(back) < flow.MAX_JOINS and regs:
                        back.setdefault(target, []).append(dict(regs))
                    continue
                if kind == _K_MOVE_OBJECT:  # move-object*: both registers now name one object
                    if op == 0x07:
                        dst, src = b1 & 0xF, b1 >> 4
                    elif op == 0x08:
                        dst, src = b1, _U16.unpack_from(data, p + 2)[0]
                    else:
                        dst, src = _U16.unpack_from(data, p + 2)[0], _U16.unpack_from(data, p + 4)[0]
                    regs[dst] = get(src, EMPTY)
                    oid = objs.get(src)
                    if oid is None:
                        oid = objs[src] = next(ids)
                    objs[dst] = oid
                    continue
                # the kinds are disjoint: tested most frequent first
                if kind == _K_MOVE_RESULT:
                    put(b1, last)
                elif kind == _K_GET:
                    fidx = _U16.unpack_from(data, p + 2)[0]
                    dest = b1 & 0xF if op in _IGET else b1
                    try:
                        fdesc = dex.field_desc(fidx)
                    except Exception:
                        put(dest, EMPTY)
                        continue
                    labels = set(self.field_labels.get(fdesc, EMPTY))
                    if self._is_app_field(fdesc):
                        labels.add("f:" + fdesc)
                    if op in _IGET:  # a field of a labelled object (a request's entity, a holder's value)
                        labels |= {lab for lab in get(b1 >> 4, EMPTY) if lab[0] == "s"}
                    put(dest, _cap(labels))
                elif kind == _K_CLEAR:  # move-exception, const*, new-instance
                    put(b1 & 0xF if op == 0x12 else b1, EMPTY)
                elif kind == _K_CONST_STRING:
                    idx = _U16.unpack_from(data, p + 2)[0] if op == 0x1A else _U32.unpack_from(data, p + 2)[0]
                    try:
                        put(b1, _const_labels(dex.string(idx)))
                    except Exception:
                        put(b1, EMPTY)
                elif kind == _K_PUT:
                    src = b1 & 0xF if op in _IPUT else b1
                    labels = get(src, EMPTY)
                    if labels:
                        try:
                            fdesc = dex.field_desc(_U16.unpack_from(data, p + 2)[0])
                        except Exception:
                            continue
                        kept = frozenset(lab for lab in labels if lab[0] == "s")
                        if kept and self._is_app_field(fdesc):
                            out.stores[fdesc] = _cap(out.stores.get(fdesc, EMPTY) | kept)
                        obj = b1 >> 4
                        if (
                            op in _IPUT and obj != this
                        ):  # the object now carries it (a holder passed on), not ``this``
                            carry(obj, frozenset(lab for lab in labels if lab[0] == "s"))
                elif kind == _K_MOVE_12X:
                    put(b1 & 0xF, get(b1 >> 4, EMPTY))
                elif kind == _K_RETURN:
                    ret |= get(b1, EMPTY)
                elif kind == _K_MOVE_22X:
                    put(b1, get(_U16.unpack_from(data, p + 2)[0], EMPTY))
                elif kind == _K_MOVE_32X:
                    put(_U16.unpack_from(data, p + 2)[0], get(_U16.unpack_from(data, p + 4)[0], EMPTY))
                elif kind == _K_CONST_CLASS:
                    try:
                        put(b1, frozenset({"c:" + code.type_descs[_U16.unpack_from(data, p + 2)[0]]}))
                    except Exception:
                        put(b1, EMPTY)
                elif kind == _K_CLEAR_A:  # instance-of, array-length, new-array: vA, vB
                    put(b1 & 0xF, EMPTY)
                elif kind == _K_AGET:
                    put(b1, get(data[p + 2], EMPTY))
                elif kind == _K_APUT:
                    arr = data[p + 2]
                    if get(b1):
                        carry(arr, regs[b1])
                elif kind == _K_BINOP_2ADDR:
                    a = b1 & 0xF
                    put(a, _cap(get(a, EMPTY) | get(b1 >> 4, EMPTY)))
                elif kind == _K_BINOP_LIT8:
                    put(b1, get(data[p + 2], EMPTY))
                elif kind == _K_BINOP_LIT16:
                    put(b1 & 0xF, get(b1 >> 4, EMPTY))
                elif kind == _K_BINOP:
                    put(b1, _cap(get(data[p + 2], EMPTY) | get(data[p + 3], EMPTY)))
                elif kind == _K_UNOP:
                    put(b1 & 0xF, get(b1 >> 4, EMPTY))
                elif kind == _K_CMP:
                    put(b1, EMPTY)
                elif kind == _K_FILLED:  # filled-new-array: result is the array
                    like = 0x6E if op == 0x24 else 0x74  # 35c / 3rc register lists, as an invoke's
                    regs_list = invoke_registers_at(like, data, p)
                    acc: set[str] = set()
                    for reg in regs_list:
                        acc |= get(reg, EMPTY)
                    result = _cap(acc)
                # other opcodes (goto, if-*, switch, check-cast, monitor, throw, nop) write no register we track
        out.returns = _cap(ret)
        return out

    def _invoke_ref(
        self,
        code: Any,
        caller: str,
        op: int,
        data: bytes,
        p: int,
        b1: int,
        regs: dict[int, Labels],
        out: Summary,
        depth: int,
        this: int,
        carry: Any,
    ) -> Labels:
        midx = _U16.unpack_from(data, p + 2)[0]
        info = self._callees.get((code.name, midx))
        if info is None:
            try:
                callee = code.method_desc(midx)
            except Exception:
                return EMPTY
            key = _key(callee)
            source = SOURCE_APIS.get(key) or ("?" if key in QUERY_APIS else None)
            info = self._callees[(code.name, midx)] = (callee, key, source, self._is_app_method(callee))
        callee, key, source, is_app = info
        arg_regs = invoke_registers_at(op, data, p)
        args = [regs.get(reg, EMPTY) for reg in arg_regs]
        offset = p
        static = op in OP_INVOKE_STATIC
        # sources
        cat = source
        if cat == "?":
            cat = self._query_cats.get((code.name, offset)) or self._query_classes.get(
                caller.split("->", 1)[0]
            )
        if cat is not None:
            lab = self._site_label(cat, callee, caller, code.name, offset)
            return _cap({lab} | (args[0] if args and not static else EMPTY))
        if not any(
            args
        ):  # nothing labelled goes in: only a network stream or a known private return comes out
            if key in _NET_STREAMS:
                return frozenset({"net"})
            if is_app and callee in self.private_returns:
                summ = self.call(callee, (), depth + 1)
                return summ.returns if summ is not None else EMPTY
            return EMPTY
        # sinks
        self._check_sink(code, caller, callee, key, static, args, offset, out)
        # app callee: walked when it receives private data (or is known to return some)
        if is_app and not callee.endswith("<clinit>()V"):
            passes = any(lab[0] == "s" for a in args for lab in a)
            summ = None
            if passes:
                summ = self.call(callee, tuple(args), depth + 1)
            elif callee in self.private_returns:
                summ = self.call(callee, (), depth + 1)
            if summ is not None:
                out.sinks.extend(
                    Sink(s.kind, s.data, s.endpoint, s.caller, s.api, s.dex, s.offset, (caller, *s.chain))
                    for s in summ.sinks
                )
                for fdesc, labels in summ.stores.items():
                    out.stores[fdesc] = _cap(out.stores.get(fdesc, EMPTY) | labels)
                out.starts.extend(summ.starts)
                # an app setter: its receiver (not ``this``) now holds the data
                if not static and args and summ.stores and arg_regs[0] != this:
                    held: set[str] = set()
                    for labels in summ.stores.values():
                        held |= labels
                    if held - args[0]:
                        carry(arg_regs[0], frozenset(held))
                return summ.returns
            if not passes:
                return EMPTY
        # framework (or unresolved) callee: derived from receiver and arguments
        acc: set[str] = set()
        for a in args:
            acc |= a
        name = key.split("->", 1)[1] if "->" in key else ""
        if key in _NET_STREAMS:
            acc.add("net")
        elif "net" in acc and not (args and not static and "net" in args[0]):
            acc.discard("net")
        if not static and args and len(args) > 1:
            cls = key.split("->", 1)[0]
            if name == "<init>" or cls.startswith(_CARRIERS):
                extra = set()
                for a in args[1:]:
                    extra |= {lab for lab in a if lab != "net"}
                if extra - args[0] and arg_regs[0] != this:
                    carry(arg_regs[0], frozenset(extra))
                    if name == "<init>":  # the new object is the register's value from now on
                        return EMPTY
        # ICC and AsyncTask hops: an app component started with the data
        if name in _START and len(args) > 1:
            intent = args[-1] if name != "sendOrderedBroadcast" else args[1]
            # in the order of the component names since 2026-12-07 (it followed the hash seed)
            out.starts.extend(flow.intent_starts(intent))
        elif name in ("execute", "executeOnExecutor") and not static and args:
            cls = key.split("->", 1)[0]
            if cls in self.code.classes and any(lab[0] == "s" for a in args[1:] for lab in a):
                labels = frozenset(lab for a in args[1:] for lab in a if lab[0] == "s")
                out.starts.append((cls, _cap(labels), "asynctask"))
        if name == "<init>":
            return EMPTY
        return _cap(acc)


def _ctx(name: str) -> ScreenContext:
    static, opened = _static_stage(APPS / f"{name}.apk", DEFAULT_LIMITS)
    return ScreenContext(static, opened)


def _state(analysis: FlowAnalysis) -> tuple[Any, ...]:
    return (
        analysis.analyses,
        analysis.units,
        analysis.truncated,
        analysis.sites,
        sorted(analysis.private_returns),
        sorted(analysis.field_labels.items()),
    )


def _outcome(analysis: FlowAnalysis, thunk: Any) -> tuple[Any, ...]:
    try:
        got: Any = thunk()
    except Exception as exc:  # both walks must fail alike
        got = ("raised", type(exc).__name__, str(exc))
    if isinstance(got, Summary):  # label sets in their iteration order too: an Intent hop follows it
        got = (
            list(got.returns),
            [(s, list(s.data), list(s.endpoint)) for s in got.sinks],
            [(f, list(labels)) for f, labels in got.stores.items()],
            [(t, list(labels), how) for t, labels, how in got.starts],
        )
    return (got, _state(analysis))


def _app_methods(ctx: ScreenContext) -> list[str]:
    out = []
    for cls in sorted(ctx.code.classes):
        info = ctx.code.class_info(cls)
        if info is not None and ctx.is_app_code(cls):
            out.extend(info.methods)
    return out


APP_NAMES = sorted(p.stem for p in APPS.glob("*.apk"))


@pytest.mark.parametrize("name", APP_NAMES)
def test_same_leaks_and_counters_on_the_fixture_apps(name: str, backend: str) -> None:
    ctx = _ctx(name)
    if ctx.code is None:
        pytest.skip("no code")
    ref, new = Reference(ctx), _new(ctx, backend)
    assert _outcome(new, new.run) == _outcome(ref, ref.run)


_LABELS = ("s0", "s1", "s2", "net", "h:http://203.0.113.7/x", "n:+15550100", "x:send", "f:Lcom/x/A;->f:I")


# more labels than a register keeps (MAX_LABELS): unions and carries must cap them as _cap does
_MANY = [f"s{i}" for i in range(40)] + [f"h:http://203.0.113.{i}/" for i in range(20)] + ["net", "x:send"]


def _labels(rng: random.Random, pool: list[str]) -> Labels:
    if rng.random() < 0.08:
        return frozenset(rng.sample(_MANY, rng.randrange(flow.MAX_LABELS - 6, flow.MAX_LABELS + 1)))
    return frozenset(rng.sample(pool, rng.randrange(0, 4))) if rng.random() < 0.6 else EMPTY


def _params(rng: random.Random, ctx: Any) -> tuple[Labels, ...]:
    classes = sorted(ctx.code.classes)[:5]
    pool = list(_LABELS) + ["c:" + c for c in classes]
    return tuple(_labels(rng, pool) for _ in range(rng.randrange(0, 5)))


@pytest.mark.parametrize("name", ["screen_spy", "screen_bad"])
def test_same_summaries_per_method_with_random_parameters(name: str, backend: str) -> None:
    ctx = _ctx(name)
    rng = random.Random(19)
    ref, new = Reference(ctx), _new(ctx, backend)
    for desc in _app_methods(ctx):
        for _ in range(3):
            params = _params(rng, ctx)
            depth = rng.randrange(0, 3)
            assert _outcome(new, lambda d=desc, p=params, k=depth: new.call(d, p, k)) == _outcome(
                ref, lambda d=desc, p=params, k=depth: ref.call(d, p, k)
            ), desc


# opcodes the fuzzer writes: every kind the walk knows, with the branches and invokes it must get right often
_FUZZ_OPS = (
    [0x6E, 0x6F, 0x70, 0x71, 0x72, 0x74, 0x77]  # invokes
    + [0x0A, 0x0B, 0x0C] * 3  # move-result
    + [0x28, 0x29, 0x2A, 0x32, 0x38, 0x39, 0x3D]  # goto, if
    + [0x01, 0x02, 0x03, 0x04, 0x07, 0x08, 0x09, 0x0D, 0x0F, 0x11, 0x12, 0x13, 0x1A, 0x1B, 0x1C, 0x1F, 0x20]
    + [0x21, 0x22, 0x23, 0x24, 0x25, 0x2B, 0x2D, 0x44, 0x46, 0x4B, 0x4D, 0x52, 0x54, 0x59, 0x5B, 0x60, 0x62]
    + [0x67, 0x69, 0x7B, 0x90, 0xB0, 0xD0, 0xD8, 0x00]
)


def _fuzz_code(
    rng: random.Random, data: bytearray, start: int, units: int, method_ids: int, fields: int
) -> None:
    """Random instructions over ``units`` code units at byte ``start`` (the method's header is kept)."""
    pc = 0
    while pc < units:
        p = start + pc * 2
        op = rng.choice(_FUZZ_OPS) if rng.random() < 0.97 else rng.randrange(256)
        data[p] = op
        data[p + 1] = rng.randrange(256) if rng.random() < 0.3 else rng.randrange(16)
        width = max(1, WIDTH[op])
        for k in range(1, width):
            if p + 2 * k + 1 >= start + units * 2:
                break
            if k == 1 and (op in (0x28, 0x29, 0x2A) or 0x32 <= op <= 0x3D):
                value = rng.randrange(-units, units) & 0xFFFF
            elif k == 1 and flow._KIND[op] == _K_INVOKE:
                value = rng.randrange(method_ids + 3)
            elif k == 1 and flow._KIND[op] in (_K_GET, _K_PUT):
                value = rng.randrange(fields + 3)
            else:
                value = rng.randrange(24) if rng.random() < 0.8 else rng.randrange(1 << 16)
            struct.pack_into("<H", data, p + 2 * k, value)
        pc += width


def _fuzzed_ctx(seed: int) -> tuple[random.Random, ScreenContext]:
    """A fixture app's context whose method bodies (70% of them) were overwritten with random instructions."""
    rng = random.Random(seed)
    ctx = _ctx(("screen_spy", "screen_bad", "screen_r5", "screen_r5_clean")[seed % 4])
    for code in ctx.code.codes:
        dex = code.dex
        data = bytearray(dex.data)
        for r in range(len(code.methods) // METHOD_WORDS):
            off = code.methods[r * METHOD_WORDS + 3]
            if not off or rng.random() < 0.3:
                continue
            units = struct.unpack_from("<I", data, off + 12)[0]
            if off + 16 + units * 2 <= len(data):
                _fuzz_code(rng, data, off + 16, units, dex.method_ids_size, dex.field_ids_size)
        dex.data = bytes(data)
    return rng, ctx


@pytest.mark.parametrize("seed", range(40))
def test_same_walk_on_fuzzed_bytecode(seed: int, backend: str) -> None:
    rng, ctx = _fuzzed_ctx(seed)
    ref, new = Reference(ctx), _new(ctx, backend)
    for desc in _app_methods(ctx):
        params = _params(rng, ctx)
        assert _outcome(new, lambda d=desc, p=params: new.call(d, p, 0)) == _outcome(
            ref, lambda d=desc, p=params: ref.call(d, p, 0)
        ), desc
    assert new.units > 0
    ref, new = Reference(ctx), _new(ctx, backend)
    assert _outcome(new, new.run) == _outcome(ref, ref.run)


def test_the_fuzzer_reaches_every_entry_kind() -> None:
    """The fuzzed programs hold every entry kind, folded and unfolded move-results, forward and back branches."""
    kinds: set[Any] = set()
    for seed in range(8):
        rng, ctx = _fuzzed_ctx(seed)
        new = _new(ctx, "python")
        for desc in _app_methods(ctx):
            new.call(desc, _params(rng, ctx), 0)
        for compiled in new._programs.values():
            if compiled is not None and isinstance(compiled[6], list):
                for ent in compiled[6]:
                    kinds.add(ent[0])
                    if ent[0] == flow._P_INVOKE:
                        kinds.add(("folded", ent[8] >= 0))
                    elif ent[0] == flow._P_BRANCH:
                        kinds.add(("forward", ent[3]))
                    elif ent[0] == flow._P_MOVE_RESULT:
                        kinds.add(("after a result", ent[3]))
    expected = set(range(13)) | {
        (w, b) for w in ("folded", "forward", "after a result") for b in (True, False)
    }
    assert expected <= kinds


def test_same_truncation_at_small_bounds(monkeypatch: pytest.MonkeyPatch, backend: str) -> None:
    """The bounds cut both walks at the same method and code unit (the note names both counts)."""
    for methods, units in ((3, 10**6), (10**4, 200), (5, 120)):
        monkeypatch.setattr(flow, "MAX_METHODS", methods)
        monkeypatch.setattr(flow, "MAX_UNITS", units)
        ctx = _ctx("screen_spy")
        ref, new = Reference(ctx), _new(ctx, backend)
        assert _outcome(new, new.run) == _outcome(ref, ref.run)
        assert new.truncated


# -- synthetic methods: random bodies over a small app whose method, field and string tables hold every source,
# sink, carrier, stream and app callee the walk treats apart (the fixture apps' tables hold few of them) ---------

_METHODS = (
    "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;",
    "Landroid/content/ContentResolver;->query(Landroid/net/Uri;[Ljava/lang/String;)Landroid/database/Cursor;",
    "Landroid/telephony/SmsManager;->sendTextMessage(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;)V",
    "Lorg/apache/http/client/HttpClient;->execute(Lorg/apache/http/HttpUriRequest;)Lorg/apache/http/HttpResponse;",
    "Ljavax/mail/Transport;->send(Ljavax/mail/Message;)V",
    "Ljava/net/HttpURLConnection;->getOutputStream()Ljava/io/OutputStream;",
    "Ljava/net/HttpURLConnection;->connect()V",
    "Ljava/net/URL;->openStream()Ljava/io/InputStream;",
    "Ljava/io/OutputStream;->write([B)V",
    "Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;",
    "Ljava/lang/StringBuilder;-><init>()V",
    "Landroid/content/Intent;-><init>(Landroid/content/Context;Ljava/lang/Class;)V",
    "Lorg/json/JSONObject;-><init>(Ljava/lang/String;)V",
    "Ljava/lang/String;-><init>([B)V",
    "Landroid/content/Intent;->putExtra(Ljava/lang/String;Ljava/lang/String;)Landroid/content/Intent;",
    "Landroid/content/Context;->startActivity(Landroid/content/Intent;)V",
    "Landroid/content/Context;->startService(Landroid/content/Intent;)Landroid/content/ComponentName;",
    "Landroid/content/Context;->sendOrderedBroadcast(Landroid/content/Intent;Ljava/lang/String;)V",
    "Lcom/app/Task;->execute([Ljava/lang/Object;)Landroid/os/AsyncTask;",
    "Landroid/util/Log;->d(Ljava/lang/String;Ljava/lang/String;)I",
    "Lcom/app/A;-><clinit>()V",
    "Lcom/app/A;->m0(Ljava/lang/String;)Ljava/lang/String;",
    "Lcom/app/A;->m1(I)I",
    "Lcom/app/A;->m2(Ljava/lang/String;Ljava/lang/String;)V",
    "Lcom/app/A;->m3()Ljava/lang/String;",
    "Lcom/app/A;->m4(Ljava/lang/Object;)V",
    "Lcom/app/A;->m5(Ljava/lang/String;)Ljava/lang/String;",
)
_APP = [i for i, d in enumerate(_METHODS) if d.startswith("Lcom/app/A;")]
_FIELDS = (
    "Lcom/app/A;->f0:Ljava/lang/String;",
    "Lcom/app/A;->f1:I",
    "Ljava/lang/System;->out:Ljava/io/PrintStream;",
)
_STRINGS = (
    "http://203.0.113.7/x",
    "+15550100",
    "a@b.cc",
    "android.intent.action.SEND",
    "hello",
    "mailto:x@y.zz",
)
_TYPES = ("Lcom/app/A;", "Lcom/app/Task;", "Landroid/content/Intent;")
# (opcode, weight): the kinds the walk knows, branches and invokes often, a few it ignores
_SYN_OPS = (
    [0x6E, 0x6F, 0x70, 0x71, 0x72, 0x74, 0x77] * 3
    + [0x0A, 0x0B, 0x0C] * 4
    + [0x28, 0x29, 0x2A, 0x32, 0x38, 0x3D] * 2
    + [0x01, 0x02, 0x03, 0x04, 0x07, 0x08, 0x09, 0x0D, 0x0F, 0x10, 0x11, 0x12, 0x13, 0x1A, 0x1B, 0x1C, 0x1F]
    + [0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x2D, 0x44, 0x4B, 0x52, 0x59, 0x60, 0x67, 0x7B, 0x90, 0xB0, 0xD0]
    + [0xD8, 0x00, 0x1D, 0x27, 0x2B, 0x1F] * 3
    + [0x52, 0x54, 0x59, 0x5B, 0x60, 0x67, 0x4B] * 2
)


class _Dex:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def field_desc(self, i: int) -> str:
        return _FIELDS[i]

    def string(self, i: int) -> str:
        return _STRINGS[i]


class _Code:
    name = "classes.dex"
    type_descs = _TYPES

    def __init__(self, data: bytes, methods: list[int]) -> None:
        self.dex = _Dex(data)
        self.methods = methods

    def method_desc(self, i: int) -> str:
        return _METHODS[i]


class _Index:
    classes = frozenset({"Lcom/app/A;", "Lcom/app/Task;"})

    def __init__(self, code: _Code, records: dict[str, int]) -> None:
        self.codes = [code]
        self.records = records

    def method_records(self, desc: str) -> list[tuple[int, int]]:
        return [(0, self.records[desc])] if desc in self.records else []


class _Ctx:
    def __init__(self, code: _Index) -> None:
        self.code = code
        self.notes: list[str] = []

    def is_app_code(self, name: str) -> bool:
        return name.startswith("Lcom/app/")


def _random_body(rng: random.Random, nregs: int) -> bytes:
    """Random instructions over registers below ``nregs`` (<= 16), branches mostly to instruction starts."""
    insns: list[list[int]] = []  # code units per instruction
    for _ in range(rng.randrange(1, 60)):
        op = rng.choice(_SYN_OPS)
        width = max(1, WIDTH[op])
        reg = lambda: rng.randrange(nregs)  # noqa: E731
        units = [op | ((reg() | reg() << 4) if rng.random() < 0.9 else rng.randrange(256)) << 8]
        units += [
            rng.randrange(nregs) if rng.random() < 0.7 else rng.randrange(1 << 16) for _ in range(width - 1)
        ]
        kind = _KIND[op]
        if kind == _K_INVOKE or op in (0x24, 0x25):
            count = rng.randrange(0, 6)
            if op in (0x74, 0x77, 0x25):  # range: count in AA, first register in CCCC
                units[0] = op | min(count, nregs) << 8
                units[2] = rng.randrange(max(1, nregs - count + 1))
            else:
                units[0] = op | (count << 12) | reg() << 8
                units[2] = reg() | reg() << 4 | reg() << 8 | reg() << 12
            if kind == _K_INVOKE:
                units[1] = rng.choice(_APP) if rng.random() < 0.3 else rng.randrange(len(_METHODS) + 2)
        elif kind in (_K_GET, _K_PUT):
            units[1] = rng.randrange(len(_FIELDS) + 1)
        elif kind == _K_CONST_STRING:
            units[1] = rng.randrange(len(_STRINGS) + 1)
            if op == 0x1B:
                units[2] = 0
        elif kind == _K_CONST_CLASS:
            units[1] = rng.randrange(len(_TYPES) + 1)
        insns.append(units)
        if (
            kind == _K_INVOKE and rng.random() < 0.25
        ):  # its result returned at once: what the invoke gave shows
            dest = reg()
            insns += [[0x0C | dest << 8], [0x11 | dest << 8]]  # move-result-object, return-object
    starts, pc = [], 0
    for units in insns:
        starts.append(pc)
        pc += len(units)
    for here, units in zip(starts, insns, strict=True):
        op = units[0] & 0xFF
        if _KIND[op] != _K_BRANCH:
            continue
        target = rng.choice(starts) if rng.random() < 0.85 else rng.randrange(-3, pc + 3)
        delta = target - here
        if op == 0x28:
            if -128 <= delta < 128:
                units[0] = op | (delta & 0xFF) << 8
        elif op == 0x2A:
            units[1], units[2] = delta & 0xFFFF, (delta >> 16) & 0xFFFF
        else:
            units[1] = delta & 0xFFFF
    return b"".join(struct.pack("<H", u & 0xFFFF) for units in insns for u in units)


def _synthetic(rng: random.Random) -> _Ctx:
    data = bytearray(16)
    methods: list[int] = []
    records: dict[str, int] = {}
    for r, i in enumerate(_APP):
        nregs = rng.randrange(1, 17)
        nins = rng.randrange(0, min(nregs, 4) + 1)
        body = _random_body(rng, nregs)
        off = len(data)
        data += struct.pack("<HHHHII", nregs, nins, 0, 0, 0, len(body) // 2) + body
        static = ACC_STATIC if rng.random() < 0.5 else 0
        methods += [0, i, static, off, 0, 0, len(body) // 2]
        records[_METHODS[i]] = r
    return _Ctx(_Index(_Code(bytes(data), methods), records))


@pytest.mark.parametrize("seed", range(400))
def test_same_walk_on_synthetic_methods(seed: int, monkeypatch: pytest.MonkeyPatch, backend: str) -> None:
    rng = random.Random(seed)
    if seed % 5 == 0:
        monkeypatch.setattr(flow, "MAX_JOINS", rng.randrange(0, 4))
    ctx = _synthetic(rng)
    ref, new = Reference(ctx), _new(ctx, backend)
    for analysis in (ref, new):  # what earlier waves found, alike for both
        analysis.private_returns.update(_METHODS[i] for i in _APP if i % 2)
        analysis.field_labels[_FIELDS[0]] = frozenset({"s1"})
        if seed % 3 == 0:  # a field holding as many labels as a register keeps
            analysis.field_labels[_FIELDS[1]] = frozenset(_MANY[: flow.MAX_LABELS])
    for _ in range(4):
        desc = _METHODS[rng.choice(_APP)]
        params = _params(rng, ctx)
        depth = rng.randrange(0, 3)
        assert _outcome(new, lambda d=desc, p=params, k=depth: new.call(d, p, k)) == _outcome(
            ref, lambda d=desc, p=params, k=depth: ref.call(d, p, k)
        ), desc


def test_registers_far_past_the_frame(backend: str) -> None:
    """Hostile code naming registers far above its frame (a range invoke from v65300, a 32x move to v65535): the
    walks treat them as registers never written, as the former walk did."""
    insns = [0x1A | 0 << 8, 0]  # const-string v0, "http://203.0.113.7/x"
    insns += [0x03, 0xFFFF, 0x0000]  # move/16 v65535, v0 (32x)
    insns += [0x77 | 200 << 8, _APP[0], 65300]  # invoke-static/range {v65300 .. v65499}, m0
    insns += [0x0C | 1 << 8]  # move-result-object v1
    insns += [0x09, 0x0002, 0xFFFF]  # move-object/16 v2, v65535 (32x)
    insns += [0x11 | 2 << 8]  # return-object v2
    body = struct.pack(f"<{len(insns)}H", *insns)
    data = bytearray(16) + struct.pack("<HHHHII", 3, 1, 0, 0, 0, len(insns)) + body
    desc = _METHODS[_APP[0]]
    ctx = _Ctx(_Index(_Code(bytes(data), [0, _APP[0], ACC_STATIC, 16, 0, 0, len(insns)]), {desc: 0}))
    ref, new = Reference(ctx), _new(ctx, backend)
    got = _outcome(new, lambda: new.call(desc, (frozenset({"s0"}),), 0))
    assert got == _outcome(ref, lambda: ref.call(desc, (frozenset({"s0"}),), 0))
    assert got[0][0] == ["h:http://203.0.113.7/x"]  # the constant went through v65535 and back


def test_decode_resolves_each_name_once_and_checks_the_answer() -> None:
    """The C decode looks a name up in the DEX's table of resolved names (which the callback fills) and calls back
    only for a new one; a field write keeps its field id; an answer that is no packed constant is refused, and the
    callback's exception propagates."""
    if flow._KERNEL is None:
        pytest.skip("the _flow extension is not built (or the Python backend is forced)")
    insns = [0x1A | 0 << 8, 4]  # const-string v0, string 4
    insns += [0x6E | 1 << 12, 9, 0]  # invoke-virtual {v0}, method 9
    insns += [0x1A | 1 << 8, 4]  # const-string v1, string 4 (the same name again)
    insns += [0x6E | 1 << 12, 9, 1]  # invoke-virtual {v1}, method 9 (again)
    insns += [0x59 | 0 << 8 | 1 << 12, 7]  # iput v0, v1, field 7
    insns += [0x52 | 0 << 8 | 1 << 12, 7]  # iget v0, v1, field 7
    insns += [0x0E]  # return-void
    data = struct.pack(f"<{len(insns)}H", *insns)
    asked: list[tuple[int, int, int, int]] = []

    known: dict[int, int] = {}

    def resolve(key: int, kind: int, sub: int, idx: int, p: int) -> int:  # as FlowAnalysis._program_c's
        asked.append((kind, sub, idx, p))
        known[key] = (len(asked) + 2) << 8 | 5  # constant index len(asked), flags 5
        return known[key]

    words, registers = flow._KERNEL.decode(data, 0, len(insns), -1, flow._KIND_BYTES, WIDTH, known, resolve)
    assert registers == 2
    assert asked == [(flow._P_SET, 1, 4, 0), (flow._P_INVOKE, 0, 9, 4), (flow._P_GET, 0, 7, 0)]
    ents = [struct.unpack_from("<8i", words, k) for k in range(0, len(words), 32)]
    by_kind = {e[0]: e for e in ents}
    assert [e[3] for e in ents if e[0] == flow._P_INVOKE] == [2, 2]  # both invokes: the first answer's index
    assert by_kind[flow._P_PUT][3] == 7  # the field id, for put_cb
    assert by_kind[flow._P_GET][3] == 3
    known.clear()
    with pytest.raises(ValueError, match="bad constant"):
        flow._KERNEL.decode(data, 0, len(insns), -1, flow._KIND_BYTES, WIDTH, known, lambda *a: -5)
    with pytest.raises(ZeroDivisionError):
        flow._KERNEL.decode(data, 0, len(insns), -1, flow._KIND_BYTES, WIDTH, known, lambda *a: 1 // 0)
