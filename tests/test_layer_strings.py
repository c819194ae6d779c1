"""Layer strings accept exactly what PyTorch accepts, and refuse the rest with the parameter and the rule.

`TORCH` is PyTorch's own answer for each layer string on an input of the given size: the output's spatial shape, or
None where torch refuses to build the layer or to run it. It was recorded with torch 2.13.0 (CPU), building
`nn.<text>` and running it on a (1, in_channels, n, ..., n) input; `test_the_table_is_what_torch_says` checks it again
wherever torch is installed (it is not a dependency, so CI skips that one). `DELIBERATE` lists the few strings torch
takes and convanim refuses on purpose, each with its reason.
"""

from __future__ import annotations

import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convanim.errors import SpecError
from convanim.parse import parse_layer
from convanim.spec import make_spec, output_shape

TORCH: list[tuple[str, int, tuple[int, ...] | None]] = [
    ('Conv2d(1, 1, 3)', 5, (3, 3)),
    ('Conv2d(1, 1, 3.5)', 5, None),
    ('Conv2d(1, 1, None)', 5, None),
    ('Conv2d(True, 1, 3)', 5, (3, 3)),
    ('Conv2d(1, True, 3)', 5, None),
    ('Conv2d(1, 1, True)', 5, (5, 5)),
    ('Conv2d(1, 1, 3, padding=1.5)', 5, None),
    ('Conv2d(2, 2, 3, groups=1.5)', 5, None),
    ('Conv2d(2, 2, 3, groups=2.0)', 5, None),
    ('Conv2d(1, 1, 3, groups=True)', 5, None),
    ('Conv2d(1, 1, 3, stride=2.0)', 5, None),
    ('Conv2d(1, 1, 3, stride=1j)', 5, None),
    ('Conv2d(1, 1, 3, stride=True)', 5, None),
    ('Conv2d(1, 1, 3, padding=True)', 5, None),
    ('Conv2d(1, 1, 3, dilation=True)', 5, None),
    ('Conv2d(1, 1, 3, stride=None)', 5, None),
    ("Conv2d(1, 1, 3, padding='same')", 5, (5, 5)),
    ("Conv2d(1, 1, 3, padding='valid')", 5, (3, 3)),
    ("Conv2d(1, 1, 3, padding='SAME')", 5, None),
    ("Conv2d(1, 1, 3, padding='full')", 5, None),
    ('Conv2d(1, 1, 3, padding={1, 2})', 5, (5, 7)),
    ('Conv2d(1, 1, 3, padding=[1, 2])', 5, (5, 7)),
    ('Conv2d(1, 1, 3, padding=(1,))', 5, (5, 5)),
    ('Conv2d(1, 1, 3, padding=(1, 2, 3))', 5, None),
    ('Conv2d(1, 1, 3, padding=((1, 2), (0, 1)))', 5, None),
    ("Conv2d(1, 1, 3, padding='same', stride=2)", 5, None),
    ("Conv2d(1, 1, 4, padding='same')", 5, (5, 5)),
    ('Conv2d(1, 1, 3, stride=(2,))', 5, (2, 2)),
    ('Conv2d(1, 1, 3, stride=(2, 1))', 5, (2, 3)),
    ('Conv2d(1, 1, 3, stride=(2, 1, 1))', 5, None),
    ('Conv2d(1, 1, 3, stride=())', 5, None),
    ('Conv2d(1, 1, (3,))', 5, None),
    ('Conv2d(1, 1, (3, 2))', 5, (3, 4)),
    ('Conv2d(1, 1, [3, 2])', 5, (3, 4)),
    ('Conv2d(1, 1, (3, 2, 1))', 5, None),
    ('Conv2d(1, 1, 3, dilation=(2,))', 5, (1, 1)),
    ('Conv1d(1, 1, (3,))', 7, (5,)),
    ('Conv1d(1, 1, 3, stride=(2,))', 7, (3,)),
    ('Conv3d(1, 1, 3, stride=(2,))', 5, (2, 2, 2)),
    ('Conv3d(1, 1, (3,))', 5, None),
    ('Conv3d(1, 1, 3, padding=(1,))', 5, (5, 5, 5)),
    ('Conv2d(1, 1, 3, in_channels=2)', 5, None),
    ('Conv2d(kernel_size=3)', 5, None),
    ('Conv2d(1, 1)', 5, None),
    ('Conv2d(1, 1, kernel_size=3)', 5, (3, 3)),
    ('Conv2d(in_channels=1, out_channels=1, kernel_size=3)', 5, (3, 3)),
    ("Conv2d(1, 1, 3, 1, 0, 1, 1, True, 'zeros')", 5, (3, 3)),
    ("Conv2d(1, 1, 3, 1, 0, 1, 1, True, 'zeros', None, None)", 5, (3, 3)),
    ("Conv2d(1, 1, 3, 1, 0, 1, 1, True, 'zeros', None, None, 1)", 5, None),
    ('Conv2d(1, 1, 3, bias=False)', 5, (3, 3)),
    ('Conv2d(1, 1, 3, bias=0)', 5, (3, 3)),
    ('Conv2d(1, 1, 3, bias=None)', 5, (3, 3)),
    ('Conv2d(1, 1, 3, nonsense=1)', 5, None),
    ("Conv2d(1, 1, '3')", 5, None),
    ("Conv2d(1, 1, 3, stride='2')", 5, None),
    ('Conv2d(1, 1, 3, stride=-1)', 5, None),
    ('Conv2d(1, 1, 0)', 5, None),
    ('Conv2d(0, 1, 3)', 5, (3, 3)),
    ('Conv2d(1, 1, 3, groups=0)', 5, None),
    ("ConvTranspose2d(1, 1, 3, padding='valid')", 5, None),
    ("ConvTranspose2d(1, 1, 3, padding='same')", 5, None),
    ('ConvTranspose2d(1, 1, 3, stride=(2,))', 5, (11, 11)),
    ('ConvTranspose2d(1, 1, 3, stride=2, output_padding=(1,))', 5, (12, 12)),
    ('ConvTranspose2d(1, 1, (3,))', 5, None),
    ('ConvTranspose2d(1, 1, 3, stride=2.0)', 5, None),
    ('ConvTranspose2d(1, 1, 3, padding=(1,))', 5, (5, 5)),
    ('ConvTranspose2d(1, 1, 3, 2, 1, 1, 1, True, 1)', 5, (10, 10)),
    ('ConvTranspose2d(1, 1, 3, dilation=(2,))', 5, (9, 9)),
    ('MaxPool2d(2)', 6, (3, 3)),
    ("MaxPool2d(2, ceil_mode='yes')", 5, None),
    ('MaxPool2d(2, ceil_mode=1)', 5, None),
    ('MaxPool2d(2, ceil_mode=True)', 5, (3, 3)),
    ('MaxPool2d(2, ceil_mode=None)', 5, None),
    ('MaxPool2d((2,))', 6, (3, 3)),
    ('MaxPool2d((2, 3))', 6, (3, 2)),
    ('MaxPool2d((2, 3, 1))', 6, None),
    ('MaxPool2d(2, stride=None)', 6, (3, 3)),
    ('MaxPool2d(2, stride=())', 6, (3, 3)),
    ('MaxPool2d(2, stride=(1,))', 6, (5, 5)),
    ('MaxPool2d(2, stride=2.0)', 6, None),
    ('MaxPool2d(2, padding=(1,))', 6, (4, 4)),
    ("MaxPool2d(2, padding='same')", 6, None),
    ("MaxPool2d(2, padding='valid')", 6, None),
    ('MaxPool2d(2, dilation=(2,))', 6, (2, 2)),
    ('MaxPool2d(2.0)', 6, None),
    ('MaxPool2d(True)', 6, None),
    ('MaxPool2d(2, return_indices=True)', 6, (3, 3)),
    ('MaxPool1d((2,))', 6, (3,)),
    ('MaxPool1d((2, 2))', 6, None),
    ('MaxPool3d((2,))', 6, (3, 3, 3)),
    ('MaxPool2d()', 6, None),
    ('MaxPool2d(2, 2, 0, 1, False, False)', 6, (3, 3)),
    ('MaxPool2d(2, 2, 0, 1, False, False, 1)', 6, None),
    ('AvgPool2d(2)', 6, (3, 3)),
    ('AvgPool2d((2,))', 6, (3, 3)),
    ("AvgPool2d(2, ceil_mode='yes')", 6, None),
    ('AvgPool2d(2, ceil_mode=1)', 6, None),
    ('AvgPool2d(2, stride=())', 6, (3, 3)),
    ('AvgPool2d(2, padding=(1,))', 6, (4, 4)),
    ("AvgPool2d(2, padding='valid')", 6, None),
    ('AvgPool2d(2, 2, 0, False, True, None)', 6, (3, 3)),
    ('AvgPool1d(2, 2, 0, False, True, None)', 6, None),
    ('AvgPool1d((2,))', 6, (3,)),
    ('AvgPool3d((2,))', 6, (3, 3, 3)),
    ('AvgPool2d(2, stride=None)', 6, (3, 3)),
    ('AvgPool2d(2.0)', 6, None),
    ('AvgPool2d(2, dilation=2)', 6, None),
]

DELIBERATE = {
    "Conv2d(True, 1, 3)": "in_channels: must be an integer, got True",  # torch reads a bool as 0 or 1
    "Conv2d(1, 1, True)": "kernel_size: must be an integer, got True",
    "Conv2d(1, 1, 3, padding={1, 2})": "padding: must be an integer or a tuple (a set has no order)",
    "Conv2d(0, 1, 3)": "in_channels: must be positive",  # torch runs it: the output is the bias alone
}


def convanim_answer(text: str, size: int) -> tuple[int, ...] | str:
    """The output shape convanim draws for `text` on an input of `size` per axis, or its refusal message."""
    try:
        return output_shape(make_spec(input_size=size, **parse_layer(text)))
    except SpecError as error:
        return str(error)


@pytest.mark.parametrize("text, size, torch_shape", TORCH, ids=[case[0] for case in TORCH])
def test_layer_strings_agree_with_torch(text, size, torch_shape):
    answer = convanim_answer(text, size)
    if text in DELIBERATE:
        assert isinstance(answer, str) and DELIBERATE[text] in answer, answer
    elif torch_shape is None:
        assert isinstance(answer, str), f"torch refuses {text}, convanim draws {answer}"
        assert "\n" not in answer
    else:
        assert answer == torch_shape, f"torch gives {torch_shape} for {text}, convanim {answer}"


@pytest.mark.parametrize("text, words", [
    ("Conv2d(1, 1, 3.5)", "kernel_size: must be an integer, got 3.5"),
    ("Conv2d(1, 1, None)", "kernel_size: must be an integer, got None"),
    ("Conv2d(1, 1, 3, stride=1j)", "stride: must be an integer, got 1j"),
    ("Conv2d(2, 2, 3, groups=1.5)", "groups: must be an integer, got 1.5"),
    ("Conv2d(1, 1, 3, padding='SAME')", "padding: Conv2d takes an integer, one per axis, or 'valid' or 'same'"),
    ("ConvTranspose2d(1, 1, 3, padding='valid')", "padding strings only for Conv1d/2d/3d"),
    ("MaxPool2d(2, ceil_mode='yes')", "ceil_mode: must be True or False, got 'yes'"),
    ("Conv2d(1, 1, 3, in_channels=2)", "got multiple values for argument 'in_channels'"),
    ("Conv2d(kernel_size=3)", "missing required argument 'in_channels'"),
    ("Conv2d(1, 1, 3, stride=(2, 1, 1))", "stride: must be an integer or a tuple of 1 or 2 integers"),
    ("Conv2d(1, 1, (3,))", "kernel_size: must be an integer or a tuple of 2 integers"),
    ("Conv2d(1, 1, 3, padding=((1, 2), (0, 1)))", "padding: must be an integer, got (1, 2)"),
    ("Conv2d(1, 1, 3, 1, 0, 1, 1, True, 'zeros', None, None, 1)", "takes at most 11 positional arguments"),
    ("Conv2d(1, 1, 3, padding_mode='reflect')", "padding_mode='reflect' is not supported"),
    ("Conv2d(1, 1, 3, stride=2**40)", "stride must be a literal"),
    ("Conv2d(1, 1, 3, stride=__import__('os'))", "stride must be a literal"),
    ("Conv2d(1, 1, 3, \udcff)", "layer: not valid UTF-8 text"),
])
def test_refusals_name_the_parameter_and_the_rule(text, words):
    answer = convanim_answer(text, 7)
    assert isinstance(answer, str) and words in answer, answer


literals = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 9) | st.floats(allow_nan=False, allow_infinity=False, width=16)
    | st.complex_numbers(max_magnitude=4, allow_nan=False) | st.sampled_from(["same", "valid", "full", "SAME", "x"]),
    lambda inner: st.lists(inner, max_size=4).map(tuple) | st.lists(inner, max_size=4) | st.frozensets(
        st.integers(0, 4), max_size=3), max_leaves=6)
PARAMETERS = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias",
              "output_padding", "ceil_mode", "return_indices", "count_include_pad", "padding_mode", "nonsense")


@settings(max_examples=300, deadline=None)
@given(layer=st.sampled_from(["Conv", "ConvTranspose", "MaxPool", "AvgPool"]), dims=st.integers(1, 3),
       positional=st.lists(literals, max_size=4),
       keywords=st.dictionaries(st.sampled_from(PARAMETERS), literals, max_size=3), size=st.integers(1, 9))
def test_any_literal_gives_a_spec_or_one_spec_error(layer, dims, positional, keywords, size):
    """Whatever literals a layer string holds, the answer is a spec or a `SpecError`, never another exception."""
    args = [repr(v) for v in positional] + [f"{k}={v!r}" for k, v in keywords.items()]
    text = f"{layer}{dims}d({', '.join(args)})"
    answer = convanim_answer(text, size)
    assert isinstance(answer, (tuple, str))


def test_the_table_is_what_torch_says():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    names = {name: getattr(nn, name) for name in dir(nn) if name[0].isupper()}
    for text, size, expected in TORCH:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                module = eval(text, names)  # the table's own strings
                dims = int(type(module).__name__[-2])
                channels = int(getattr(module, "in_channels", 1))
                result = module(torch.randn(1, channels, *([size] * dims)))
                result = result[0] if isinstance(result, tuple) else result
                found: tuple[int, ...] | None = tuple(result.shape[2:])
        except (RuntimeError, ValueError, TypeError):
            found = None
        assert found == expected, text
