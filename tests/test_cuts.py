"""Elided axes: the labels' gap notes name the tensor's own indices."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st


@settings(max_examples=25, deadline=None)
@given(size=st.integers(17, 60), kernel=st.integers(1, 5), padding=st.integers(0, 2), stride=st.integers(1, 3),
       transposed=st.booleans())
def test_gap_notes_count_the_tensor_s_own_elements(size, kernel, padding, stride, transposed):
    """The left-out columns a label names, plus the real columns drawn, are the input's columns, once each: the
    note speaks of the tensor's indices, not the padded or zero-stuffed grid's."""
    import re

    from convanim.figures import build_scene
    from convanim.primitives import Polygon, Text
    from convanim.spec import SpecError, make_spec
    from convanim.view import make_view

    try:
        spec = make_spec(input_size=size, kernel_size=kernel, padding=padding, stride=stride, transposed=transposed)
    except SpecError:
        assume(False)
    assume(not transposed or padding <= kernel - 1)  # else the drawn grid crops the input's edge elements away
    scene = build_scene(spec, make_view("flat", caption=False))
    theme = scene.theme
    drawn = {round(p.points[0][0], 6) for p in scene.items
             if isinstance(p, Polygon) and p.frame is None and p.fill == theme.input_fill}
    notes = [t.text for t in scene.items if isinstance(t, Text) and t.text.startswith("⋯ ")]
    hidden = 0
    for note in notes[:1]:  # the first is the input's (labels in the order drawn)
        if re.fullmatch(r"⋯ \d+ zero columns?", note):
            continue  # a gap of padding or inserted zeros alone
        found = re.fullmatch(r"⋯ (\d+) more columns? \((\d+)-(\d+)\)(?: \+ \d+ zeros?)?", note)
        assert found, note
        hidden, first, last = map(int, found.groups())
        assert last - first + 1 == hidden and 0 <= first and last <= size - 1
    assert len(drawn) + hidden == size
