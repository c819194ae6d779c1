"""Independent brute-force oracle for convanim's geometry engine.

Written from the mathematical definitions of PyTorch's Conv*d,
ConvTranspose*d, MaxPool*d and AvgPool*d -- deliberately NOT from the code in
``convanim/``.  Pure numpy.

How the spatial mapping is found
--------------------------------
Every layer here is (bi)linear in (input, weight), so "output o reads input i
through kernel index k" is exactly "with a one-hot input at i and a one-hot
weight at k, output o becomes nonzero".  We therefore literally run

* a direct convolution   y[o] = sum_k w[k] * xpad[o*s + k*d]      (gather)
* a transposed convolution (scatter definition)
      full[i*s + k*d] += x[i] * w[k]   on a buffer of length
      (n-1)*s + d*(k-1) + 1 + output_padding,
  then crop pad_before at the start and pad_after at the end
* a masked pooling       y[o] = max_k  m[k] * window(o)[k]  (window membership,
  computed with ``sliding_window_view`` on the padded input)

on every one-hot input (batched) and every one-hot kernel, and record which
outputs light up.  Output sizes are found by counting the windows that fit
(direct conv / pooling) or by the length of the cropped scatter buffer
(transposed conv), not by the closed-form formulas -- the self-tests compare
those against Dumoulin & Visin's closed forms.

Channels are probed the same way through a grouped channel mix that uses
PyTorch's weight layouts: conv weight ``(out_c, in_c/groups, *k)``,
transposed weight ``(in_c, out_c/groups, *k)``.

The drawn grid (what the animation shows) is built independently too, as an
array of labels (real input index / padding / inserted zero), and the oracle
asserts that the label found at the documented grid coordinate of every tap
agrees with the probe.  That pins down:

* direct conv: grid = padded input, coordinate = o*s + k*d (= input + pad_before)
* pooling: same, and with ceil_mode the grid grows to the end of the last
  window (the extra cells are padding)
* transposed conv: grid = input stretched by inserting s-1 zeros between
  elements, padded by d*(K-1) - pad_before at the start and
  d*(K-1) - pad_after + output_padding at the end (negative = cropped); the
  kernel is seen flipped: PyTorch index k of output o sits at
  o + (K-1-k)*d.  grid_shape = output + d*(K-1).

Validity rules (``problems``) are PyTorch's, re-stated independently; each
problem carries the set of parameter names an error message may name.
Where PyTorch itself is not consistent across versions / code paths (max
pooling padding with dilation), ``ambiguous`` says so and tests accept either
verdict.  Obscure but real ATen rule included: AvgPool3d refuses an input axis
smaller than the kernel (pool3d_shape_check with check_input_size=true).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

OPS = ("conv", "maxpool", "avgpool")
PAD_STRINGS = ("valid", "same", "full")

# Any of these may legitimately be blamed when the output would be empty.
SIZE_NAMES = frozenset(
    {"input_size", "kernel_size", "padding", "dilation", "stride",
     "output_padding", "output_size", "output"}
)


# --------------------------------------------------------------------------
# parameter parsing / validity
# --------------------------------------------------------------------------

class OracleInvalid(ValueError):
    """Raised by ``resolve``; ``.problems`` is a list of (text, names)."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(t for t, _ in self.problems))

    @property
    def names(self):
        out = set()
        for _, names in self.problems:
            out |= names
        return frozenset(out)


@dataclass(frozen=True)
class Resolved:
    dims: int
    op: str
    transposed: bool
    n: tuple          # input spatial size per axis
    k: tuple          # kernel size per axis
    s: tuple          # stride per axis
    d: tuple          # dilation per axis
    pads: tuple       # ((before, after), ...) per axis
    opad: tuple       # output_padding per axis
    in_c: int
    out_c: int
    groups: int
    ceil_mode: bool


def _is_int(v):
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _per_axis(name, value, dims, probs):
    """int -> (v,)*dims; tuple/list of len dims -> tuple.  Else a problem."""
    if _is_int(value):
        return (int(value),) * dims
    if isinstance(value, (tuple, list)) and len(value) == dims and all(
        _is_int(v) for v in value
    ):
        return tuple(int(v) for v in value)
    probs.append((f"{name} must be an int or a tuple of {dims} ints, got {value!r}",
                  frozenset({name})))
    return None


def _parse_padding(padding, dims, probs):
    """Return ('str', s) or ('pairs', ((b, a), ...)) or None on a problem."""
    bad = (f"bad padding {padding!r}", frozenset({"padding"}))
    if isinstance(padding, str):
        if padding in PAD_STRINGS:
            return ("str", padding)
        probs.append(bad)
        return None
    if _is_int(padding):
        return ("pairs", ((int(padding), int(padding)),) * dims)
    if isinstance(padding, (tuple, list)) and len(padding) == dims:
        pairs = []
        for p in padding:
            if _is_int(p):
                pairs.append((int(p), int(p)))
            elif (isinstance(p, (tuple, list)) and len(p) == 2
                  and all(_is_int(q) for q in p)):
                pairs.append((int(p[0]), int(p[1])))
            else:
                probs.append(bad)
                return None
        return ("pairs", tuple(pairs))
    probs.append(bad)
    return None


def resolve(dims, input_size, kernel_size, stride=None, padding=0, dilation=1,
            transposed=False, output_padding=0, in_channels=1, out_channels=None,
            groups=1, depthwise=False, bias=True, op="conv", ceil_mode=False):
    """Normalise a parameter set exactly as PyTorch would accept it.

    Raises OracleInvalid listing every problem found (parse problems first:
    later checks need parsed values)."""
    probs = []
    if not _is_int(dims) or dims not in (1, 2, 3):
        raise OracleInvalid([(f"dims must be 1, 2 or 3, got {dims!r}", frozenset({"dims"}))])
    if op not in OPS:
        raise OracleInvalid([(f"op must be one of {OPS}, got {op!r}", frozenset({"op"}))])
    pool = op != "conv"

    n = _per_axis("input_size", input_size, dims, probs)
    k = _per_axis("kernel_size", kernel_size, dims, probs)
    s = None if stride is None else _per_axis("stride", stride, dims, probs)
    d = _per_axis("dilation", dilation, dims, probs)
    opad = _per_axis("output_padding", output_padding, dims, probs)
    pad = _parse_padding(padding, dims, probs)
    for name, v in (("in_channels", in_channels), ("groups", groups)):
        if not _is_int(v):
            probs.append((f"{name} must be an int", frozenset({name})))
    if out_channels is not None and not _is_int(out_channels):
        probs.append(("out_channels must be an int", frozenset({"out_channels"})))
    if probs:
        raise OracleInvalid(probs)

    # ---- ranges --------------------------------------------------------
    if s is None:
        s = k if pool else (1,) * dims
    for name, vals in (("input_size", n), ("kernel_size", k), ("stride", s),
                       ("dilation", d)):
        if min(vals) < 1:
            probs.append((f"{name} must be >= 1, got {vals}", frozenset({name})))
    if min(opad) < 0:
        probs.append((f"output_padding must be >= 0, got {opad}",
                      frozenset({"output_padding"})))
    if pad[0] == "pairs" and min(min(p) for p in pad[1]) < 0:
        probs.append((f"padding must be >= 0, got {pad[1]}", frozenset({"padding"})))
    if in_channels < 1:
        probs.append(("in_channels must be >= 1", frozenset({"in_channels"})))
    if out_channels is not None and out_channels < 1:
        probs.append(("out_channels must be >= 1", frozenset({"out_channels"})))
    if groups < 1:
        probs.append(("groups must be >= 1", frozenset({"groups"})))
    if probs:
        # Keep going on clamped values so that *every* rule an engine might
        # check first is listed (only the set of blamable names matters then).
        n, k, s, d = (tuple(max(1, v) for v in t) for t in (n, k, s, d))
        opad = tuple(max(0, v) for v in opad)
        if pad[0] == "pairs":
            pad = ("pairs", tuple((max(0, b), max(0, a)) for b, a in pad[1]))
        in_channels, groups = max(1, in_channels), max(1, groups)
        if out_channels is not None:
            out_channels = max(1, out_channels)

    # ---- padding strings ------------------------------------------------
    if pad[0] == "str":
        if pad[1] == "valid":
            pairs = ((0, 0),) * dims
        elif pad[1] == "full":
            pairs = tuple((dd * (kk - 1),) * 2 for kk, dd in zip(k, d))
        else:  # same: PyTorch puts the odd extra padding at the END
            if any(x != 1 for x in s):
                probs.append(("padding='same' needs stride 1",
                              frozenset({"padding", "stride"})))
            pairs = []
            for kk, dd in zip(k, d):
                total = dd * (kk - 1)
                pairs.append((total // 2, total - total // 2))
            pairs = tuple(pairs)
    else:
        pairs = pad[1]

    # ---- op specific ------------------------------------------------------
    if pool:
        C = in_channels
        if transposed:
            probs.append(("pooling cannot be transposed", frozenset({"transposed"})))
        if any(opad):
            probs.append(("pooling has no output_padding", frozenset({"output_padding"})))
        if groups != 1:
            probs.append(("pooling has no groups", frozenset({"groups"})))
        if out_channels is not None and out_channels != C:
            probs.append(("pooling keeps channels", frozenset({"out_channels"})))
        if op == "avgpool" and any(x != 1 for x in d):
            probs.append(("avgpool has no dilation", frozenset({"dilation"})))
        if any(b != a for b, a in pairs):
            # PyTorch pooling only has symmetric padding.
            probs.append(("pooling padding must be symmetric", frozenset({"padding"})))
        # Pooling padding limit.  PyTorch is not self-consistent here:
        #   pooling_output_shape() (all dims):        pad <= ((k-1)*d + 1) // 2
        #       "pad should be at most half of effective kernel size"
        #   pool2d_shape_check() (current ATen):       same, on the dilated extent
        #   pool3d_shape_check():                      pad <= k // 2 (plain kernel)
        #   max_pool1d() CPU no-grad fast path:        pad <= k // 2 (plain kernel)
        #   older pool2d_shape_check():                pad <= k // 2 (plain kernel)
        # We follow the effective-extent rule for max pooling (what current
        # MaxPool2d does) and k // 2 for avg pooling (no dilation, so the two
        # coincide).  The band k//2 < pad <= ((k-1)*d+1)//2 (max pooling with
        # dilation) is version/path dependent: see ``ambiguous``.
        for (b, a), kk, dd in zip(pairs, k, d):
            lim = ((kk - 1) * dd + 1) // 2
            if op == "avgpool":
                lim = kk // 2
            if max(b, a) > lim:
                probs.append((f"pooling padding {max(b, a)} > {lim} (half the kernel)",
                              frozenset({"padding", "kernel_size"})))
                break
        if op == "avgpool" and dims == 3 and any(nn < kk for nn, kk in zip(n, k)):
            # avg_pool3d() calls pool3d_shape_check(..., check_input_size=true):
            # "input image (T: .. H: .. W: ..) smaller than kernel size"
            probs.append(("avg_pool3d: input smaller than kernel size",
                          frozenset({"input_size", "kernel_size"})))
        out_c, G = C, C
    else:
        if ceil_mode:
            pass  # conv has no ceil_mode; the engine may ignore or refuse it.
        if depthwise:
            G = in_channels
            out_c = in_channels if out_channels is None else out_channels
        else:
            G = groups
            out_c = 1 if out_channels is None else out_channels
        if in_channels % G:
            probs.append((f"in_channels {in_channels} not divisible by groups {G}",
                          frozenset({"in_channels", "groups"})))
        if out_c % G:
            probs.append((f"out_channels {out_c} not divisible by groups {G}",
                          frozenset({"out_channels", "groups"})))
        if not transposed and any(opad):
            probs.append(("output_padding needs transposed=True",
                          frozenset({"output_padding", "transposed"})))
        if transposed:
            # PyTorch: output padding must be smaller than either stride or dilation
            for a, ss, dd in zip(opad, s, d):
                if not (a < ss or a < dd):
                    probs.append((f"output_padding {a} must be < stride {ss} or < dilation {dd}",
                                  frozenset({"output_padding"})))
                    break

    r = Resolved(dims=dims, op=op, transposed=bool(transposed) and not pool,
                 n=n, k=k, s=s, d=d, pads=pairs, opad=opad,
                 in_c=in_channels, out_c=out_c, groups=G, ceil_mode=bool(ceil_mode))

    # ---- output must be non-empty (found by brute force) -------------------
    out = output_shape_bruteforce(r)
    if min(out) < 1:
        probs.append((f"output size {out} < 1", SIZE_NAMES))
    if probs:
        raise OracleInvalid(probs)
    return r


def ambiguous(**params):
    """A reason string if PyTorch's verdict on ``params`` depends on the
    version / code path (so an engine may go either way), else None."""
    if params.get("op", "conv") != "maxpool":
        return None
    try:
        r = resolve(**params)
    except OracleInvalid:
        return None
    for (b, a), kk in zip(r.pads, r.k):
        if max(b, a) > kk // 2:
            return "maxpool padding between kernel_size//2 and half the dilated extent"
    return None


def problems(**params):
    """[] if PyTorch would accept ``params``, else a list of (text, names)."""
    try:
        resolve(**params)
    except OracleInvalid as e:
        return e.problems
    return []


# --------------------------------------------------------------------------
# output shape, by counting
# --------------------------------------------------------------------------

def _count_windows(P, E, s):
    """Number of window starts o*s with the whole window [o*s, o*s+E) in [0, P)."""
    o = 0
    while o * s + E <= P:
        o += 1
    return o


def _pool_len(n, k, s, d, p, ceil_mode):
    E = d * (k - 1) + 1
    P = n + 2 * p
    if not ceil_mode:
        return _count_windows(P, E, s)
    # ceil_mode: a window may hang over the right end, as long as it *starts*
    # inside the input or its left padding (PyTorch's rule: take the ceil count,
    # then drop the last window if it starts at or after n + p).
    o = 0
    while o * s + E <= P + s - 1:   # == ceil((P - E) / s) + 1 windows
        o += 1
    if o >= 1 and (o - 1) * s >= n + p:
        o -= 1
    return o


def output_shape_bruteforce(r: Resolved):
    out = []
    for ax in range(r.dims):
        n, k, s, d = r.n[ax], r.k[ax], r.s[ax], r.d[ax]
        b, a = r.pads[ax]
        if r.op != "conv":
            out.append(_pool_len(n, k, s, d, b, r.ceil_mode))
        elif r.transposed:
            full = (n - 1) * s + d * (k - 1) + 1 + r.opad[ax]
            out.append(full - b - a)
        else:
            out.append(_count_windows(n + b + a, d * (k - 1) + 1, s))
    return tuple(out)


# Closed forms (Dumoulin & Visin, "A guide to convolution arithmetic") -- used
# only by the self-tests to cross-check the counting above.
def closed_form_conv(i, k, s=1, p=0, d=1):
    k_eff = k + (k - 1) * (d - 1)
    return (i + 2 * p - k_eff) // s + 1


def closed_form_transposed(i, k, s=1, p=0, a=0, d=1):
    k_eff = k + (k - 1) * (d - 1)
    return s * (i - 1) + a + k_eff - 2 * p


def closed_form_pool(i, k, s, p=0, d=1, ceil_mode=False):
    num = i + 2 * p - d * (k - 1) - 1
    if ceil_mode:
        o = -(-num // s) + 1
        if (o - 1) * s >= i + p:
            o -= 1
        return o
    return num // s + 1


# --------------------------------------------------------------------------
# brute-force numeric operators (batched over a leading axis of inputs)
# --------------------------------------------------------------------------

def conv_direct(x, w, s, d, pads):
    """y[b, o] = sum_k w[k] * xpad[b, o*s + k*d].  x: (B, *n), w: (*k)."""
    xp = np.pad(x, [(0, 0)] + [tuple(p) for p in pads])
    P = xp.shape[1:]
    out = tuple(_count_windows(PP, dd * (kk - 1) + 1, ss)
                for PP, kk, ss, dd in zip(P, w.shape, s, d))
    y = np.zeros((x.shape[0],) + out)
    if min(out) < 1:
        return y
    for kidx in itertools.product(*(range(kk) for kk in w.shape)):
        if w[kidx] == 0:
            continue        # skipping zero terms does not change the sum
        sl = tuple(slice(kk * dd, kk * dd + (oo - 1) * ss + 1, ss)
                   for kk, dd, oo, ss in zip(kidx, d, out, s))
        y += w[kidx] * xp[(slice(None),) + sl]
    return y


def conv_transposed(x, w, s, d, pads, opad):
    """Scatter definition: full[b, i*s + k*d] += x[b, i] * w[k] on a buffer of
    length (n-1)*s + d*(k-1) + 1 + output_padding, then crop pads."""
    n = x.shape[1:]
    full_shape = tuple((nn - 1) * ss + dd * (kk - 1) + 1 + aa
                       for nn, ss, kk, dd, aa in zip(n, s, w.shape, d, opad))
    full = np.zeros((x.shape[0],) + full_shape)
    for kidx in itertools.product(*(range(kk) for kk in w.shape)):
        if w[kidx] == 0:
            continue
        sl = tuple(slice(kk * dd, kk * dd + (nn - 1) * ss + 1, ss)
                   for kk, dd, nn, ss in zip(kidx, d, n, s))
        full[(slice(None),) + sl] += w[kidx] * x
    crop = tuple(slice(b, F - a) for (b, a), F in zip(pads, full_shape))
    return full[(slice(None),) + crop]


def pool_masked(x, mask, s, d, pads, out):
    """y[b, o] = max_k mask[k] * window(o)[k]  (window membership probe).

    Padding is zero (for a nonnegative one-hot probe that is as good as -inf);
    the padded input is extended on the right so that ceil_mode windows that
    hang over the end exist."""
    k = mask.shape
    E = tuple(dd * (kk - 1) + 1 for kk, dd in zip(k, d))
    pad_cfg = [(0, 0)]
    for ax, (b, a) in enumerate(pads):
        need = (out[ax] - 1) * s[ax] + E[ax]        # end of the last window
        have = x.shape[1 + ax] + b + a
        pad_cfg.append((b, a + max(0, need - have)))
    xp = np.pad(x, pad_cfg)
    axes = tuple(range(1, 1 + len(k)))
    win = sliding_window_view(xp, E, axis=axes)     # (B, *starts, *E)
    win = win[(slice(None),)
              + tuple(slice(0, (oo - 1) * ss + 1, ss) for oo, ss in zip(out, s))
              + tuple(slice(None, None, dd) for dd in d)]   # (B, *out, *k)
    prod = win * mask
    return prod.reshape(prod.shape[:1 + len(k)] + (-1,)).max(axis=-1)


def channel_mix(x, w, groups, transposed):
    """Grouped 1x1 channel mixing with PyTorch weight layouts.

    conv:        w (out_c, in_c/groups):  y[g-th out block] = w_g @ x_g
    transposed:  w (in_c, out_c/groups):  y[g-th out block] = w_g.T @ x_g
    """
    in_c = x.shape[0]
    in_per = in_c // groups
    if transposed:
        out_per = w.shape[1]
    else:
        out_per = w.shape[0] // groups
    y = np.zeros(out_per * groups)
    for g in range(groups):
        xg = x[g * in_per:(g + 1) * in_per]
        if transposed:
            wg = w[g * in_per:(g + 1) * in_per]           # (in_per, out_per)
            y[g * out_per:(g + 1) * out_per] = wg.T @ xg
        else:
            wg = w[g * out_per:(g + 1) * out_per]         # (out_per, in_per)
            y[g * out_per:(g + 1) * out_per] = wg @ xg
    return y


# --------------------------------------------------------------------------
# probing
# --------------------------------------------------------------------------

def _one_hots(shape):
    m = int(np.prod(shape))
    return np.eye(m).reshape((m,) + tuple(shape))


def probe_spatial(r: Resolved):
    """{(output_tuple, kernel_tuple): input_tuple} for every real read."""
    out = output_shape_bruteforce(r)
    X = _one_hots(r.n)                              # all one-hot inputs at once
    reads = {}
    for kidx in itertools.product(*(range(kk) for kk in r.k)):
        w = np.zeros(r.k)
        w[kidx] = 1.0                               # one-hot kernel
        if r.op != "conv":
            Y = pool_masked(X, w, r.s, r.d, r.pads, out)
        elif r.transposed:
            Y = conv_transposed(X, w, r.s, r.d, r.pads, r.opad)
        else:
            Y = conv_direct(X, w, r.s, r.d, r.pads)
        assert Y.shape[1:] == out, (Y.shape, out)
        for hit in np.argwhere(Y != 0):
            i = tuple(int(v) for v in np.unravel_index(hit[0], r.n))
            o = tuple(int(v) for v in hit[1:])
            key = (o, tuple(kidx))
            assert key not in reads, f"two inputs for output {o} kernel {kidx}"
            reads[key] = i
    return out, reads


def probe_channels(r: Resolved):
    """{output_channel: sorted input channels}, by one-hot probing."""
    if r.op != "conv":
        # pooling is channel-wise: y[c] = pool(x[c])
        return {c: [c] for c in range(r.in_c)}
    if r.transposed:
        wshape = (r.in_c, r.out_c // r.groups)
    else:
        wshape = (r.out_c, r.in_c // r.groups)
    conn = {oc: set() for oc in range(r.out_c)}
    for ic in range(r.in_c):
        x = np.zeros(r.in_c)
        x[ic] = 1.0
        for widx in itertools.product(*(range(v) for v in wshape)):
            w = np.zeros(wshape)
            w[widx] = 1.0
            y = channel_mix(x, w, r.groups, r.transposed)
            for oc in np.flatnonzero(y):
                conn[int(oc)].add(ic)
    return {oc: sorted(v) for oc, v in conn.items()}


# --------------------------------------------------------------------------
# drawn grid
# --------------------------------------------------------------------------

PAD, INS = "padding", "inserted"


def _axis_labels(r: Resolved, ax, out_len):
    """Per-axis label of every drawn-grid cell: input index, PAD or INS."""
    n, k, s, d = r.n[ax], r.k[ax], r.s[ax], r.d[ax]
    b, a = r.pads[ax]
    if r.transposed:
        length = out_len + d * (k - 1)
        start = d * (k - 1) - b           # where the stretched input begins
        labels = []
        for g in range(length):
            u = g - start                 # coordinate in the stretched input
            if u < 0 or u > (n - 1) * s:
                labels.append(PAD)
            elif u % s:
                labels.append(INS)
            else:
                labels.append(u // s)
        # cross-check with the literal construction for the uncropped case
        stretched = [INS] * ((n - 1) * s + 1)
        stretched[::s] = list(range(n))
        tail = d * (k - 1) - a + r.opad[ax]
        lit = [PAD] * max(start, 0) + stretched + [PAD] * max(tail, 0)
        lit = lit[max(-start, 0):len(lit) - max(-tail, 0)]
        assert lit == labels, (lit, labels)
        return labels
    length = n + b + a
    if r.op != "conv":
        length = max(length, (out_len - 1) * s + d * (k - 1) + 1)
    return [g - b if 0 <= g - b < n else PAD for g in range(length)]


def _grid_coord(r: Resolved, o, kidx):
    if r.transposed:
        return tuple(oo + (kk - 1 - ki) * dd
                     for oo, ki, kk, dd in zip(o, kidx, r.k, r.d))
    return tuple(oo * ss + ki * dd for oo, ki, ss, dd in zip(o, kidx, r.s, r.d))


def _classify(per_axis):
    if any(v == PAD for v in per_axis):
        return PAD
    if any(v == INS for v in per_axis):
        return INS
    return tuple(per_axis)


# --------------------------------------------------------------------------
# the full reference mapping
# --------------------------------------------------------------------------

def reference_mapping(**params):
    """Same JSON layout as ``convanim.geometry.mapping``."""
    r = resolve(**params)
    out, reads = probe_spatial(r)
    labels = [_axis_labels(r, ax, out[ax]) for ax in range(r.dims)]
    grid_shape = tuple(len(lab) for lab in labels)
    if r.transposed:
        assert grid_shape == tuple(o + d * (k - 1) for o, k, d in zip(out, r.k, r.d))
    kernel_positions = list(itertools.product(*(range(kk) for kk in r.k)))
    frames = []
    for o in itertools.product(*(range(v) for v in out)):
        taps = []
        for kidx in kernel_positions:
            i = reads.get((o, kidx))
            g = _grid_coord(r, o, kidx)
            assert all(0 <= gg < G for gg, G in zip(g, grid_shape)), (g, grid_shape)
            lab = _classify([labels[ax][g[ax]] for ax in range(r.dims)])
            # the drawn grid must agree with the numeric probe
            if i is None:
                assert lab in (PAD, INS), (o, kidx, g, lab)
                if not r.transposed:
                    assert lab == PAD
            else:
                assert lab == i, (o, kidx, g, lab, i)
            taps.append({"kernel": list(kidx),
                         "input": None if i is None else list(i),
                         "padding": i is None,
                         "zero": None if i is not None else lab,
                         "grid": list(g)})
        frames.append({"output": list(o), "taps": taps})
    chans = probe_channels(r)
    return {
        "input_shape": list(r.n),
        "output_shape": list(out),
        "grid_shape": list(grid_shape),
        "in_channels": r.in_c,
        "out_channels": r.out_c,
        "groups": r.groups,
        "frames": frames,
        "channels": [{"output": oc, "inputs": chans[oc]} for oc in range(r.out_c)],
    }
