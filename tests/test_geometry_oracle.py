"""Property tests: convanim's geometry engine vs. an independent brute-force oracle.

The oracle (tests/reference.py) probes real numpy convolutions / transposed
convolutions / poolings with one-hot inputs and one-hot kernels; see its
docstring.  No torch here.

Run from the repository root:  python3 -m pytest tests/test_geometry_oracle.py
Set CONVANIM_ORACLE_EXAMPLES=<factor> to multiply the number of hypothesis
examples for a deeper (slower) run.
"""

import itertools
import json
import math
import os
import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

try:
    from tests import reference as R
except ImportError:  # tests/ is not a package and the root is not on sys.path
    import reference as R

from convanim.geometry import mapping
from convanim.spec import SpecError, make_spec

_FACTOR = float(os.environ.get("CONVANIM_ORACLE_EXAMPLES", "1"))


def ci(n):
    """A CI-friendly hypothesis profile with ``n`` examples (times the factor)."""
    return settings(
        max_examples=max(1, int(n * _FACTOR)),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                               HealthCheck.data_too_large],
    )


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def engine_map(params):
    # Round-trip through JSON: the mapping must be exactly what --json prints.
    return json.loads(json.dumps(mapping(make_spec(**params))))


def _prod(xs):
    return math.prod(xs)


# The engine's messages use the CLI spelling "input" for ``input_size``.
_ALIASES = {"input_size": ("input",)}


def _names_in(message, names):
    """True if ``message`` names one of ``names`` (as a word; '_' or ' ')."""
    names = set(names)
    for name in list(names):
        names.update(_ALIASES.get(name, ()))
    for name in names:
        pat = r"(?<![A-Za-z_])" + name.replace("_", "[_ ]") + r"(?![A-Za-z_])"
        if re.search(pat, message, flags=re.IGNORECASE):
            return True
    return False


def check_structure(m, params):
    """Contract checks that do not need the oracle's answer."""
    r = R.resolve(**params)
    out = m["output_shape"]
    K = list(r.k)
    assert len(m["frames"]) == _prod(out)
    # frames in row-major order of output position
    assert [f["output"] for f in m["frames"]] == [
        list(o) for o in itertools.product(*(range(v) for v in out))]
    kernel_order = [list(k) for k in itertools.product(*(range(v) for v in K))]
    for f in m["frames"]:
        o = f["output"]
        # exactly prod(kernel) taps, in row-major kernel order
        assert [t["kernel"] for t in f["taps"]] == kernel_order, f
        for t in f["taps"]:
            g, k, i = t["grid"], t["kernel"], t["input"]
            assert isinstance(t["padding"], bool)
            assert (i is None) == t["padding"], t
            assert all(0 <= gg < G for gg, G in zip(g, m["grid_shape"])), (t, m["grid_shape"])
            assert len(g) == len(k) == len(o) == r.dims
            if i is None:
                assert t["zero"] in ("padding", "inserted"), t
                if not r.transposed:
                    assert t["zero"] == "padding", t
            else:
                assert t["zero"] is None, t
                assert all(0 <= ii < nn for ii, nn in zip(i, r.n)), t
            for ax in range(r.dims):
                b, _ = r.pads[ax]
                s, d = r.s[ax], r.d[ax]
                if r.transposed:
                    # kernel seen flipped on the stretched, re-padded input
                    assert g[ax] == o[ax] + (K[ax] - 1 - k[ax]) * d, t
                    if i is not None:
                        assert o[ax] + b == i[ax] * s + k[ax] * d, t
                else:
                    # grid = padded input
                    assert g[ax] == o[ax] * s + k[ax] * d, t
                    if i is not None:
                        assert g[ax] == i[ax] + b, t
    for ax in range(r.dims):
        b, a = r.pads[ax]
        if r.transposed:
            assert m["grid_shape"][ax] == out[ax] + r.d[ax] * (K[ax] - 1)
        elif r.op == "conv":
            assert m["grid_shape"][ax] == r.n[ax] + b + a
        else:
            last_end = (out[ax] - 1) * r.s[ax] + r.d[ax] * (K[ax] - 1) + 1
            assert m["grid_shape"][ax] == max(r.n[ax] + b + a, last_end)


def compare(params):
    ref = R.reference_mapping(**params)
    m = engine_map(params)
    for key in ("input_shape", "output_shape", "grid_shape",
                "in_channels", "out_channels", "groups"):
        assert m[key] == ref[key], (key, m[key], ref[key], params)
    assert len(m["frames"]) == len(ref["frames"])
    for fe, fr in zip(m["frames"], ref["frames"]):
        assert fe["output"] == fr["output"], params
        # multiset of taps (kernel index -> input index or None)
        def key(t):
            return (tuple(t["kernel"]), None if t["input"] is None else tuple(t["input"]))
        assert sorted(map(key, fe["taps"]), key=repr) == sorted(map(key, fr["taps"]), key=repr), (
            fr["output"], params)
        # and every field of every tap, in order
        strip = [{k: t[k] for k in ("kernel", "input", "padding", "zero", "grid")}
                 for t in fe["taps"]]
        assert strip == fr["taps"], (fr["output"], params)
    got = {c["output"]: sorted(c["inputs"]) for c in m["channels"]}
    want = {c["output"]: c["inputs"] for c in ref["channels"]}
    assert got == want, params
    assert [c["output"] for c in m["channels"]] == list(range(ref["out_channels"]))
    check_structure(m, params)
    return m


# --------------------------------------------------------------------------
# two corners of PyTorch's rules the engine once got wrong (tests at the end)
# --------------------------------------------------------------------------

def _ceil_overhang(params):
    """Pooling, ceil_mode, some axis whose (dilated) window is longer than the
    padded input, yet PyTorch's ceil formula gives an output >= 1."""
    try:
        r = R.resolve(**params)
    except R.OracleInvalid:
        return False
    return r.op != "conv" and r.ceil_mode and any(
        dd * (kk - 1) + 1 > nn + b + a
        for nn, kk, dd, (b, a) in zip(r.n, r.k, r.d, r.pads))


def _avgpool3d_input_smaller_than_kernel(params):
    if params.get("op") != "avgpool" or params.get("dims") != 3:
        return False
    n, k = params.get("input_size"), params.get("kernel_size")
    n = (n,) * 3 if isinstance(n, int) else tuple(n)
    k = (k,) * 3 if isinstance(k, int) else tuple(k)
    return len(n) == len(k) == 3 and all(isinstance(v, int) for v in n + k) and any(
        nn < kk for nn, kk in zip(n, k))




def compare_or_refused(params):
    """For parameter sets PyTorch does not define (lenient zone): the engine
    may refuse them; if it accepts them it must follow the oracle's natural
    generalisation."""
    try:
        make_spec(**params)
    except SpecError:
        return
    compare(params)


# --------------------------------------------------------------------------
# strategies
# --------------------------------------------------------------------------

# per-dims upper bounds, small enough for the brute force to stay fast
LIM = {
    1: dict(n=7, k=4, s=3, d=3, p=3),
    2: dict(n=4, k=3, s=2, d=2, p=2),
    3: dict(n=3, k=2, s=2, d=2, p=1),
}


def _axis_vals(draw, dims, lo, hi):
    return tuple(draw(st.integers(lo, hi)) for _ in range(dims))


def _as_param(draw, vals):
    """int form when all axes agree (sometimes), else the tuple."""
    if len(set(vals)) == 1 and draw(st.booleans()):
        return vals[0]
    return tuple(vals)


@st.composite
def conv_cases(draw, dims, transposed):
    L = LIM[dims]
    k = _axis_vals(draw, dims, 1, L["k"])
    d = _axis_vals(draw, dims, 1, L["d"])
    form = draw(st.sampled_from(
        ["int", "axis", "pairs", "pairs"] + ([] if transposed else ["valid", "same", "full"])))
    if form == "same":
        s = (1,) * dims
    else:
        s = _axis_vals(draw, dims, 1, L["s"])
    if form == "int":
        p = draw(st.integers(0, L["p"]))
        padding, pairs = p, ((p, p),) * dims
    elif form == "axis":
        v = _axis_vals(draw, dims, 0, L["p"])
        padding, pairs = v, tuple((x, x) for x in v)
    elif form == "pairs":
        pairs = tuple((draw(st.integers(0, L["p"])), draw(st.integers(0, L["p"])))
                      for _ in range(dims))
        padding = pairs
    else:
        padding = form
        pairs = tuple(R.resolve(dims=dims, input_size=99, kernel_size=k, dilation=d,
                                padding=form).pads)
    opad = (0,) * dims
    if transposed:
        opad = tuple(draw(st.integers(0, max(ss, dd) - 1)) for ss, dd in zip(s, d))
    n = []
    for ax in range(dims):
        b, a = pairs[ax]
        ext = d[ax] * (k[ax] - 1)
        if transposed:
            need = max(0, b + a - ext - opad[ax])
            lo = 1 + -(-need // s[ax])
        else:
            lo = max(1, ext + 1 - b - a)
        n.append(draw(st.integers(lo, max(lo, L["n"]))))
    params = dict(dims=dims, input_size=_as_param(draw, n), kernel_size=_as_param(draw, k),
                  padding=padding, dilation=_as_param(draw, d), transposed=transposed)
    if form != "same" or draw(st.booleans()):
        if not (all(x == 1 for x in s) and draw(st.booleans())):
            params["stride"] = _as_param(draw, s)
    if transposed and (any(opad) or draw(st.booleans())):
        params["output_padding"] = _as_param(draw, opad)
    # channels / groups
    if draw(st.integers(0, 4)) == 0:
        params["depthwise"] = True
        params["in_channels"] = draw(st.integers(1, 4))
        if draw(st.booleans()):
            params["out_channels"] = params["in_channels"] * draw(st.integers(1, 2))
    else:
        g = draw(st.integers(1, 3))
        params["groups"] = g
        params["in_channels"] = g * draw(st.integers(1, 2))
        if g > 1 or draw(st.booleans()):
            params["out_channels"] = g * draw(st.integers(1, 2))
    return params


@st.composite
def pool_cases(draw, dims, op):
    L = LIM[dims]
    k = _axis_vals(draw, dims, 1, L["k"] + 1)
    d = (1,) * dims if op == "avgpool" else _axis_vals(draw, dims, 1, L["d"])
    if op == "maxpool" and draw(st.integers(0, 3)) == 0:
        # up to half the dilated extent (partly a version-dependent band)
        p = tuple(draw(st.integers(0, ((kk - 1) * dd + 1) // 2)) for kk, dd in zip(k, d))
    else:
        p = tuple(draw(st.integers(0, kk // 2)) for kk in k)
    ceil_mode = draw(st.booleans())
    stride_given = draw(st.booleans())
    s = _axis_vals(draw, dims, 1, L["s"] + 1) if stride_given else k
    n = []
    for ax in range(dims):
        E = d[ax] * (k[ax] - 1) + 1
        lo = max(1, E - 2 * p[ax] - ((s[ax] - 1) if ceil_mode else 0))
        if op == "avgpool" and dims == 3:
            lo = max(lo, k[ax])       # avg_pool3d: input >= kernel
        n.append(draw(st.integers(lo, max(lo, L["n"] + 1))))
    form = draw(st.sampled_from(["int", "axis", "pairs"]))
    if form == "int" and len(set(p)) == 1:
        padding = p[0]
    elif form == "pairs":
        padding = tuple((x, x) for x in p)
    else:
        padding = p
    params = dict(dims=dims, op=op, input_size=_as_param(draw, n),
                  kernel_size=_as_param(draw, k), padding=padding, ceil_mode=ceil_mode,
                  in_channels=draw(st.integers(1, 3)))
    if op == "maxpool" and (any(x != 1 for x in d) or draw(st.booleans())):
        params["dilation"] = _as_param(draw, d)
    if stride_given:
        params["stride"] = _as_param(draw, s)
    if draw(st.booleans()):
        params["out_channels"] = params["in_channels"]
    assume(not R.problems(**params))
    return params


# --------------------------------------------------------------------------
# 1. the oracle itself (no engine needed)
# --------------------------------------------------------------------------

@ci(200)
@given(i=st.integers(1, 12), k=st.integers(1, 5), s=st.integers(1, 4),
       p=st.integers(0, 4), d=st.integers(1, 3), a=st.integers(0, 3))
def test_oracle_shapes_match_closed_forms(i, k, s, p, d, a):
    conv = dict(dims=1, input_size=i, kernel_size=k, stride=s, padding=p, dilation=d)
    want = R.closed_form_conv(i, k, s, p, d)
    if want >= 1:
        assert R.reference_mapping(**conv)["output_shape"] == [want]
    else:
        assert R.problems(**conv)
    tr = dict(conv, transposed=True, output_padding=a)
    want = R.closed_form_transposed(i, k, s, p, a, d)
    if a >= max(s, d):
        assert R.problems(**tr)
    elif want >= 1:
        assert R.reference_mapping(**tr)["output_shape"] == [want]
    else:
        assert R.problems(**tr)
    for ceil_mode in (False, True):
        pool = dict(dims=1, op="maxpool", input_size=i, kernel_size=k, stride=s,
                    padding=p, dilation=d, ceil_mode=ceil_mode)
        want = R.closed_form_pool(i, k, s, p, d, ceil_mode)
        if p > ((k - 1) * d + 1) // 2 or want < 1:
            assert R.problems(**pool)
        else:
            assert R.reference_mapping(**pool)["output_shape"] == [want]


def _taps(m):
    return [[(t["kernel"][0], None if t["input"] is None else t["input"][0], t["zero"],
              t["grid"][0]) for t in f["taps"]] for f in m["frames"]]


def test_oracle_hand_checked_conv():
    # x = [x0..x4], k=3, s=2, p=1:  y0 = w1 x0 + w2 x1 ; y1 = w0 x1 + w1 x2 + w2 x3 ;
    # y2 = w0 x3 + w1 x4 (+ w2 * right pad)
    m = R.reference_mapping(dims=1, input_size=5, kernel_size=3, stride=2, padding=1)
    assert m["output_shape"] == [3] and m["grid_shape"] == [7]
    assert _taps(m) == [
        [(0, None, "padding", 0), (1, 0, None, 1), (2, 1, None, 2)],
        [(0, 1, None, 2), (1, 2, None, 3), (2, 3, None, 4)],
        [(0, 3, None, 4), (1, 4, None, 5), (2, None, "padding", 6)],
    ]
    # dilation 2 on 5 inputs, k=2: y_o = w0 x_o + w1 x_{o+2}
    m = R.reference_mapping(dims=1, input_size=5, kernel_size=2, dilation=2)
    assert [[t[1] for t in f] for f in _taps(m)] == [[0, 2], [1, 3], [2, 4]]


def test_oracle_hand_checked_transposed():
    # ConvTranspose1d(k=3, s=2, p=1, output_padding=1) on 3 inputs: full buffer
    # z[2i + k] += x_i w_k (length 8), output = z[1:7].
    m = R.reference_mapping(dims=1, input_size=3, kernel_size=3, stride=2, padding=1,
                            transposed=True, output_padding=1)
    assert m["output_shape"] == [6] and m["grid_shape"] == [8]
    reads = [{t[0]: t[1] for t in f} for f in _taps(m)]
    assert reads == [
        {0: None, 1: 0, 2: None},   # z1 = x0 w1
        {0: 1, 1: None, 2: 0},      # z2 = x0 w2 + x1 w0
        {0: None, 1: 1, 2: None},   # z3 = x1 w1
        {0: 2, 1: None, 2: 1},      # z4 = x1 w2 + x2 w0
        {0: None, 1: 2, 2: None},   # z5 = x2 w1
        {0: None, 1: None, 2: 2},   # z6 = x2 w2
    ]
    # drawn grid: [pad, x0, ins, x1, ins, x2, pad, pad]; flipped kernel
    assert _taps(m)[0] == [(0, None, "inserted", 2), (1, 0, None, 1), (2, None, "padding", 0)]
    assert _taps(m)[5] == [(0, None, "padding", 7), (1, None, "padding", 6), (2, 2, None, 5)]


def test_oracle_hand_checked_cropped_transposed_grid():
    # padding 3 > d*(k-1) = 2: the drawn grid starts 1 cell inside the stretched input
    m = R.reference_mapping(dims=1, input_size=3, kernel_size=3, stride=2, padding=3,
                            transposed=True)
    assert m["output_shape"] == [1] and m["grid_shape"] == [3]
    # z = length 7, output = z[3:4]; z3 = x1 w1 ; grid = stretched[1:4] = [ins, x1, ins]
    assert _taps(m) == [[(0, None, "inserted", 2), (1, 1, None, 1), (2, None, "inserted", 0)]]


def test_oracle_hand_checked_pool_ceil():
    # MaxPool1d(2, stride 2, ceil_mode) on 5: windows [0,1] [2,3] [4,(5)]
    m = R.reference_mapping(dims=1, op="maxpool", input_size=5, kernel_size=2, ceil_mode=True)
    assert m["output_shape"] == [3] and m["grid_shape"] == [6]
    assert _taps(m)[2] == [(0, 4, None, 4), (1, None, "padding", 5)]
    assert m["groups"] == 1 and m["channels"] == [{"output": 0, "inputs": [0]}]
    # n=5, k=2, s=2, p=1, ceil: ceil(5/2)+1 = 4, but window 3 starts at 6 >= 5+1 -> 3
    m = R.reference_mapping(dims=1, op="maxpool", input_size=5, kernel_size=2, padding=1,
                            ceil_mode=True)
    assert m["output_shape"] == [3]
    # n=6, k=3, s=2, p=1, ceil: 4 windows, the last one [6, 9) hangs over the 8 padded cells
    m = R.reference_mapping(dims=1, op="avgpool", input_size=6, kernel_size=3, stride=2,
                            padding=1, ceil_mode=True)
    assert m["output_shape"] == [4] and m["grid_shape"] == [9]
    assert _taps(m)[3] == [(0, 5, None, 6), (1, None, "padding", 7), (2, None, "padding", 8)]


def test_oracle_channels():
    m = R.reference_mapping(dims=1, input_size=3, kernel_size=1, in_channels=4,
                            out_channels=6, groups=2)
    assert m["channels"] == [{"output": o, "inputs": [0, 1] if o < 3 else [2, 3]}
                             for o in range(6)]
    # transposed weight is (in_c, out_c/groups, k): group g's outputs read group g's inputs
    m = R.reference_mapping(dims=1, input_size=3, kernel_size=1, in_channels=4,
                            out_channels=2, groups=2, transposed=True)
    assert m["channels"] == [{"output": 0, "inputs": [0, 1]}, {"output": 1, "inputs": [2, 3]}]
    m = R.reference_mapping(dims=1, input_size=3, kernel_size=1, in_channels=3,
                            out_channels=6, depthwise=True)
    assert m["groups"] == 3
    assert [c["inputs"] for c in m["channels"]] == [[0], [0], [1], [1], [2], [2]]
    m = R.reference_mapping(dims=2, op="avgpool", input_size=2, kernel_size=2, in_channels=3)
    assert m["groups"] == 3 and m["out_channels"] == 3
    assert [c["inputs"] for c in m["channels"]] == [[0], [1], [2]]


def test_oracle_same_padding_extra_at_end():
    assert R.resolve(dims=2, input_size=5, kernel_size=(4, 3), padding="same",
                     dilation=(1, 3)).pads == ((1, 2), (3, 3))
    assert R.resolve(dims=1, input_size=5, kernel_size=3, padding="full",
                     dilation=2).pads == ((4, 4),)
    m = R.reference_mapping(dims=1, input_size=4, kernel_size=2, padding="same")
    assert m["output_shape"] == [4] and m["grid_shape"] == [5]
    assert [[t[1] for t in f] for f in _taps(m)] == [[0, 1], [1, 2], [2, 3], [3, None]]


# --------------------------------------------------------------------------
# 2. engine vs oracle: property tests
# --------------------------------------------------------------------------

def test_specerror_is_valueerror():
    assert issubclass(SpecError, ValueError)


@pytest.mark.parametrize("dims", [1, 2, 3])
@given(data=st.data())
@ci(150)
def test_direct_conv_matches_oracle(dims, data):
    params = data.draw(conv_cases(dims, transposed=False).filter(
        lambda p: not R.problems(**p)))
    compare(params)


@pytest.mark.parametrize("dims", [1, 2, 3])
@given(data=st.data())
@ci(150)
def test_transposed_conv_matches_oracle(dims, data):
    params = data.draw(conv_cases(dims, transposed=True).filter(
        lambda p: not R.problems(**p)))
    compare(params)


@pytest.mark.parametrize("op", ["maxpool", "avgpool"])
@pytest.mark.parametrize("dims", [1, 2, 3])
@given(data=st.data())
@ci(100)
def test_pooling_matches_oracle(dims, op, data):
    params = data.draw(pool_cases(dims, op))
    if R.ambiguous(**params):
        compare_or_refused(params)
    else:
        compare(params)


# --------------------------------------------------------------------------
# 3. explicit cases
# --------------------------------------------------------------------------

EXPLICIT = [
    # strided, asymmetric padding, dilation, per axis
    dict(dims=2, input_size=(5, 4), kernel_size=(3, 2), stride=(2, 1),
         padding=((1, 0), (0, 2)), dilation=(1, 2)),
    dict(dims=1, input_size=6, kernel_size=3, padding="same", dilation=2),
    dict(dims=2, input_size=4, kernel_size=(2, 3), padding="same"),      # odd extra at end
    dict(dims=2, input_size=3, kernel_size=2, padding="full", dilation=(1, 2)),
    dict(dims=3, input_size=(3, 2, 4), kernel_size=(2, 1, 3), stride=(1, 2, 2), padding=1),
    dict(dims=1, input_size=4, kernel_size=4, padding="valid", stride=5),
    # transposed, output_padding (< stride, and < dilation with stride 1)
    dict(dims=1, input_size=3, kernel_size=3, stride=2, padding=1, output_padding=1,
         transposed=True),
    dict(dims=1, input_size=3, kernel_size=2, stride=1, dilation=3, output_padding=2,
         transposed=True),
    dict(dims=2, input_size=(2, 3), kernel_size=(3, 2), stride=(3, 2), padding=((0, 2), (1, 0)),
         output_padding=(2, 1), transposed=True),
    # padding larger than d*(k-1): the drawn grid is cropped
    dict(dims=1, input_size=4, kernel_size=2, stride=3, padding=3, transposed=True),
    dict(dims=2, input_size=3, kernel_size=3, stride=2, padding=(3, 1), output_padding=(1, 0),
         transposed=True),
    dict(dims=3, input_size=2, kernel_size=2, stride=2, padding=(0, 1, 2), transposed=True,
         output_padding=(1, 0, 1)),
    # groups / depthwise
    dict(dims=1, input_size=4, kernel_size=2, in_channels=4, out_channels=6, groups=2),
    dict(dims=2, input_size=3, kernel_size=2, in_channels=3, depthwise=True),
    dict(dims=2, input_size=3, kernel_size=2, in_channels=2, out_channels=6, depthwise=True),
    dict(dims=1, input_size=3, kernel_size=2, in_channels=6, out_channels=4, groups=2,
         transposed=True, stride=2),
    # pooling, ceil_mode
    dict(dims=1, op="maxpool", input_size=5, kernel_size=2, ceil_mode=True),
    dict(dims=1, op="maxpool", input_size=5, kernel_size=2, padding=1, ceil_mode=True),
    dict(dims=1, op="avgpool", input_size=6, kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(dims=2, op="maxpool", input_size=(5, 4), kernel_size=(3, 2), stride=(2, 3),
         dilation=(2, 1), padding=(1, 1), ceil_mode=True, in_channels=2),
    dict(dims=3, op="avgpool", input_size=3, kernel_size=2, ceil_mode=True, in_channels=2),
]


@pytest.mark.parametrize("params", EXPLICIT, ids=lambda p: repr(sorted(p.items())))
def test_explicit_cases(params):
    assert not R.problems(**params)
    compare(params)


def test_defaults():
    m = engine_map(dict(dims=2, input_size=5, kernel_size=3))
    assert m["output_shape"] == [3, 3] and m["out_channels"] == 1 and m["groups"] == 1
    m = engine_map(dict(dims=1, op="maxpool", input_size=6, kernel_size=2))   # stride = kernel
    assert m["output_shape"] == [3]
    m = engine_map(dict(dims=1, op="avgpool", input_size=3, kernel_size=1, in_channels=4))
    assert m["out_channels"] == 4 and m["groups"] == 4
    assert [c["inputs"] for c in m["channels"]] == [[0], [1], [2], [3]]
    m = engine_map(dict(dims=1, input_size=3, kernel_size=1, in_channels=5, depthwise=True))
    assert m["out_channels"] == 5 and m["groups"] == 5


# --------------------------------------------------------------------------
# 4. validity: the engine refuses exactly what PyTorch refuses
# --------------------------------------------------------------------------

B = dict(dims=1, input_size=5, kernel_size=3)
T = dict(B, transposed=True)
P = dict(dims=2, op="maxpool", input_size=5, kernel_size=3)
A = dict(P, op="avgpool")

INVALID = [
    (dict(B, dims=4), {"dims"}),
    (dict(B, op="minpool"), {"op"}),
    (dict(B, input_size=0), {"input_size"}),
    (dict(B, kernel_size=0), {"kernel_size"}),
    (dict(B, kernel_size=(3, 3)), {"kernel_size"}),
    (dict(P, input_size=(5, 5, 5)), {"input_size"}),
    (dict(B, stride=0), {"stride"}),
    (dict(B, stride=(1, 1)), {"stride"}),
    (dict(B, dilation=0), {"dilation"}),
    (dict(B, padding=-1), {"padding"}),
    (dict(B, padding=((1, -1),)), {"padding"}),
    (dict(B, padding="bogus"), {"padding"}),
    (dict(B, padding="same", stride=2), {"padding", "stride"}),
    (dict(B, in_channels=0), {"in_channels"}),
    (dict(B, out_channels=0), {"out_channels"}),
    (dict(B, groups=0), {"groups"}),
    (dict(B, in_channels=3, out_channels=2, groups=2), {"in_channels", "groups"}),
    (dict(B, in_channels=2, out_channels=3, groups=2), {"out_channels", "groups"}),
    (dict(B, in_channels=2, groups=2), {"out_channels", "groups"}),    # out_c defaults to 1
    (dict(B, output_padding=1), {"output_padding", "transposed"}),
    (dict(T, output_padding=-1), {"output_padding"}),
    (dict(T, output_padding=1), {"output_padding"}),                   # s = d = 1
    (dict(T, output_padding=2, stride=2), {"output_padding"}),
    (dict(T, output_padding=2, dilation=2, stride=2), {"output_padding"}),
    (dict(B, input_size=2), R.SIZE_NAMES),                               # kernel > input
    (dict(B, input_size=4, dilation=2), R.SIZE_NAMES),                   # extent 5 > 4
    (dict(T, input_size=1, kernel_size=2, padding=1), R.SIZE_NAMES),     # output 0
    (dict(T, input_size=1, kernel_size=1, padding=((1, 0),)), R.SIZE_NAMES),
    (dict(P, padding=2), {"padding"}),                                   # > 3 // 2
    (dict(P, kernel_size=2, padding=(0, 2)), {"padding"}),
    (dict(A, kernel_size=4, padding=3), {"padding"}),
    (dict(P, transposed=True), {"transposed"}),
    (dict(P, output_padding=1), {"output_padding"}),
    (dict(A, dilation=2), {"dilation"}),
    (dict(P, in_channels=3, out_channels=2), {"out_channels"}),
    (dict(P, in_channels=3, groups=2), {"groups"}),
    (dict(P, input_size=2), R.SIZE_NAMES),                               # window 3 > 2
    (dict(P, input_size=1, kernel_size=3, stride=1, ceil_mode=True), R.SIZE_NAMES),
]


@pytest.mark.parametrize("params,names", INVALID, ids=lambda v: repr(v))
def test_invalid_explicit(params, names):
    probs = R.problems(**params)
    assert probs, "oracle should refuse this"
    with pytest.raises(SpecError) as exc:
        make_spec(**params)
    assert _names_in(str(exc.value), names), (str(exc.value), names)


def test_maxpool_padding_limit_with_dilation():
    # k=2, d=3: dilated extent 4.  pad 3 > 4//2 is refused by every PyTorch path;
    # pad 2 (> k//2 = 1, <= extent//2 = 2) is accepted by current MaxPool2d but
    # refused by MaxPool3d / the max_pool1d CPU fast path: either is fine;
    # pad 1 is always fine.
    base = dict(dims=1, op="maxpool", input_size=8, kernel_size=2, dilation=3)
    bad = dict(base, padding=3)
    assert R.problems(**bad)
    with pytest.raises(SpecError) as exc:
        make_spec(**bad)
    assert _names_in(str(exc.value), {"padding"})
    band = dict(base, padding=2)
    assert R.ambiguous(**band) and not R.problems(**band)
    compare_or_refused(band)
    compare(dict(base, padding=1))


@st.composite
def any_params(draw):
    """Parameter sets that are invalid about half the time (each knob is
    occasionally pushed out of range), outside the lenient zones."""
    dims = draw(st.integers(1, 3))
    op = draw(st.sampled_from(["conv", "conv", "maxpool", "avgpool"]))

    def rare():
        return draw(st.integers(0, 29)) == 0

    def size(lo, hi, bad=0):
        v = tuple(bad if rare() else draw(st.integers(lo, hi)) for _ in range(dims))
        return _as_param(draw, v)

    params = dict(dims=dims, op=op, input_size=size(1, 6), kernel_size=size(1, 4))
    if op != "avgpool" or rare():
        params["dilation"] = size(1, 3)
    if draw(st.booleans()):
        params["stride"] = size(1, 3)
    if op == "conv":
        params["transposed"] = draw(st.booleans())
        forms = ["int", "axis", "pairs"] + ([] if params["transposed"] else ["str"])
    else:
        params["transposed"] = rare()
        forms = ["int", "axis"]
        params["ceil_mode"] = draw(st.booleans())
    form = draw(st.sampled_from(forms))
    pmax = 3 if op == "conv" else 2
    if form == "int":
        params["padding"] = -1 if rare() else draw(st.integers(0, pmax))
    elif form == "axis":
        params["padding"] = tuple(-1 if rare() else draw(st.integers(0, pmax))
                                  for _ in range(dims))
    elif form == "pairs":
        params["padding"] = tuple(
            (-1 if rare() else draw(st.integers(0, pmax)), draw(st.integers(0, pmax)))
            for _ in range(dims))
    else:
        params["padding"] = draw(st.sampled_from(["valid", "same", "full"]))
    if params["transposed"] or rare():
        params["output_padding"] = size(0, 2, bad=-1)
    c = draw(st.integers(1, 4))
    params["in_channels"] = 0 if rare() else c
    if op == "conv":
        g = draw(st.sampled_from([1, 1, 2, 3]))
        params["groups"] = 0 if rare() else g
        if draw(st.integers(0, 3)):    # mostly divisible channel counts
            params["in_channels"] = g * draw(st.integers(1, 2))
        if g > 1 or draw(st.booleans()):
            params["out_channels"] = (0 if rare() else
                                      draw(st.sampled_from([g, 2 * g, g + 1])))
    else:
        if rare():
            params["out_channels"] = draw(st.integers(1, 4))
        if rare():
            g = draw(st.integers(2, 4))
            assume(g != c)      # groups == channels for pooling is a lenient zone
            params["groups"] = g
    return params


@given(params=any_params())
@ci(1000)
def test_validity_agrees_with_pytorch_rules(params):
    if R.ambiguous(**params):
        return
    try:
        R.resolve(**params)
    except R.OracleInvalid as e:
        with pytest.raises(SpecError) as exc:
            make_spec(**params)
        assert _names_in(str(exc.value), e.names), (str(exc.value), e.names, params)
    else:
        try:
            make_spec(**params)
        except SpecError as exc:  # pragma: no cover - reported by the assert
            raise AssertionError(f"engine refused a valid set {params}: {exc}") from exc


# lenient zones: not PyTorch-defined; refusing is fine, accepting must be consistent
@pytest.mark.parametrize("params", [
    dict(dims=1, input_size=4, kernel_size=3, padding="same", transposed=True),
    dict(dims=2, input_size=3, kernel_size=2, padding="valid", transposed=True, stride=2),
    dict(dims=1, input_size=3, kernel_size=2, padding="full", transposed=True),
], ids=repr)
def test_transposed_string_padding_lenient(params):
    compare_or_refused(params)


# --------------------------------------------------------------------------
# 5. corners of PyTorch's rules that the engine once got wrong
# --------------------------------------------------------------------------

@pytest.mark.parametrize("params", [
    # ceil((1 - 3) / 3) + 1 = 1 window, [0, 3): cells 1 and 2 are padding
    dict(dims=1, op="maxpool", input_size=1, kernel_size=3, ceil_mode=True),
    # extent 3*(4-1)+1 = 10 > 7:  ceil((7 - 10) / 4) + 1 = 1
    dict(dims=1, op="maxpool", input_size=7, kernel_size=4, dilation=3, ceil_mode=True),
    dict(dims=2, op="avgpool", input_size=(1, 2), kernel_size=(1, 3), ceil_mode=True),
], ids=repr)
def test_ceil_mode_window_may_overhang_the_padded_input(params):
    # PyTorch gives one output when ceil_mode lets the only window run past the padded input
    assert _ceil_overhang(params) and not R.problems(**params)
    compare(params)


# ATen's avg_pool3d (pool3d_shape_check with check_input_size=true) refuses it
def test_avgpool3d_refuses_input_smaller_than_kernel():
    params = dict(dims=3, op="avgpool", input_size=(2, 3, 3), kernel_size=3, padding=1)
    assert R.problems(**params)
    with pytest.raises(SpecError) as exc:
        make_spec(**params)
    assert _names_in(str(exc.value), {"input_size", "kernel_size"})
