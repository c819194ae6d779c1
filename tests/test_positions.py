"""Positions: the words parse to what they say, resolve to exactly the positions a brute-force reading of the output
grid gives, and the figures show exactly those (in that order); the default sample stays small and says so."""

from __future__ import annotations

import itertools
import math

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from convanim import SpecError, make_spec, make_view
from convanim.cli import cli
from convanim.figures import build_scene
from convanim.positions import SAMPLE_POSITIONS, SWEEP_AXIS, PositionsSpec, parse_positions, resolve_positions

shapes = st.lists(st.integers(1, 40), min_size=1, max_size=3).map(tuple)


def brute(kind: str, number: int, region, shape) -> list[tuple[int, ...]]:
    """The positions a request names, by walking every output position in row-major order."""
    everything = list(itertools.product(*[range(n) for n in shape]))
    if kind == "all":
        return everything
    if kind == "row":
        return [p for p in everything if p[0] == number]
    if kind == "column":
        return [p for p in everything if p[1] == number]
    if kind == "corners":
        return [p for p in everything if all(i in (0, n - 1) for i, n in zip(p, shape))]
    if kind == "every":
        return [p for p in everything if all(i % number == 0 for i in p)]
    if kind == "first":
        return everything[:number]
    return [p for p in everything if all(a <= i < (n if b is None else b) for i, (a, b), n in zip(p, region, shape))]


def unflat(index: int, shape) -> tuple[int, ...]:
    out = []
    for n in reversed(shape):
        index, i = divmod(index, n)
        out.append(i)
    return tuple(reversed(out))


@pytest.mark.parametrize("text, expected", [
    ("all", PositionsSpec("all")), ("  Corners ", PositionsSpec("corners")), ("row 3", PositionsSpec("row", 3)),
    ("col 2", PositionsSpec("column", 2)), ("column 0", PositionsSpec("column", 0)),
    ("every 2", PositionsSpec("every", 2)), ("first 10", PositionsSpec("first", 10)),
    ("0:4,2:6", PositionsSpec("region", region=((0, 4), (2, 6)))), ("5", PositionsSpec("region", region=((5, 6),))),
    ("3:, :2", PositionsSpec("region", region=((3, None), (0, 2)))), (None, PositionsSpec("auto")),
])
def test_parse(text, expected):
    assert parse_positions(text) == expected


@pytest.mark.parametrize("text", ["rows 3", "every 0", "first 0", "4:2", "1:2:3", "middle", "row -1", ""])
def test_parse_refuses_with_the_parameter_name(text):
    with pytest.raises(SpecError, match=r"^positions: "):
        parse_positions(text)


@settings(max_examples=200, deadline=None)
@given(shape=shapes, kind=st.sampled_from(["all", "row", "column", "corners", "every", "first", "region"]),
       number=st.integers(0, 45), data=st.data())
def test_resolve_matches_brute_force(shape, kind, number, data):
    if kind == "region":
        region = tuple(data.draw(st.tuples(st.integers(0, n - 1), st.integers(1, n))) for n in shape)
        region = tuple((a, b) if b > a else (a, a + 1) for a, b in region)
        request = PositionsSpec("region", region=region)
    else:
        if kind in ("every", "first"):
            number = max(1, number)
        region = ()
        request = PositionsSpec(kind, number)
    if kind in ("row", "column") and (len(shape) != 2 or number >= shape[0 if kind == "row" else 1]):
        with pytest.raises(SpecError, match=r"^positions: "):
            resolve_positions(request, shape, 10**6)
        return
    chosen = resolve_positions(request, shape, 10**6)
    assert [unflat(i, shape) for i in chosen.indices] == brute(kind, number, region, shape)
    assert (chosen.note == "") == (len(chosen.indices) == math.prod(shape))


@settings(max_examples=200, deadline=None)
@given(shape=shapes)
def test_default_sample_is_small_ordered_and_reaches_both_ends(shape):
    chosen = resolve_positions(PositionsSpec(), shape, 10**6)
    total = math.prod(shape)
    assert list(chosen.indices) == sorted(set(chosen.indices))
    if total <= SAMPLE_POSITIONS and max(shape) <= SWEEP_AXIS:
        assert chosen.indices == tuple(range(total)) and chosen.note == ""
        return
    assert len(chosen.indices) <= SAMPLE_POSITIONS
    assert chosen.indices[0] == 0 and chosen.note.startswith(f"shown: {len(chosen.indices):,} of {total:,}")
    points = [unflat(i, shape) for i in chosen.indices]
    plane = shape[1:] if len(shape) == 3 else shape  # a volume is sampled at output depth 0
    for axis, n in enumerate(plane, start=len(shape) - len(plane)):
        assert {p[axis] for p in points} >= {0, n - 1}  # the window is seen at both ends of every plane axis


def test_an_explicit_request_past_the_frame_limit_is_refused():
    with pytest.raises(SpecError, match=r"^positions: 'all' asks for 10,000 output positions, more than max_frames"):
        resolve_positions(PositionsSpec("all"), (100, 100), 4096)
    assert len(resolve_positions(PositionsSpec("first", 500), (10, 10), 4096).indices) == 100  # all there are


@pytest.mark.parametrize("args, positions", [
    (dict(input_size=20, kernel_size=3), "row 4"),
    (dict(input_size=20, kernel_size=3, stride=2, padding=1), "corners"),
    (dict(input_size=(30, 12), kernel_size=3, in_channels=3, out_channels=4), "2:4,0:3"),
    (dict(dims=1, input_size=300, kernel_size=5, in_channels=3, out_channels=2), "every 50"),
    (dict(dims=3, input_size=9, kernel_size=3), "first 5"),
    (dict(input_size=64, kernel_size=5, padding=2), None),
])
def test_figures_show_exactly_the_positions_asked_for(args, positions):
    spec = make_spec(**args)
    view = make_view(positions=positions, channel=0 if spec.out_channels > 1 else None)
    scene = build_scene(spec, view)
    from convanim.geometry import Geometry

    shape = Geometry(spec).output_shape
    chosen = resolve_positions(parse_positions(positions), shape, view.max_frames)
    # One output channel is swept over the chosen positions (then the other drawn ones at the last): the frame
    # lines name the output position of each frame.
    shown = []
    for title in scene.frame_titles[:len(chosen.indices)]:
        if " at step " in title:
            shown.append((int(title.split(" at step ")[1].split()[0]),))
        else:
            inside = title.split("(")[1].split(")")[0]
            shown.append(tuple(int(v) for v in inside.split(", ")))
    assert shown == [unflat(i, shape) for i in chosen.indices]


def test_cli_positions():
    runner = CliRunner()
    with runner.isolated_filesystem():
        result = runner.invoke(cli, ["render", "--input", "12", "--positions", "row 2", "-o", "x.svg"])
        assert result.exit_code == 0, result.output
        assert "(10 frames" in result.output
        result = runner.invoke(cli, ["render", "--input", "12", "--positions", "row 20", "-o", "y.svg"])
        assert result.exit_code == 2
        assert result.output.strip().splitlines() == [
            "convanim: error: --positions: row 20 is outside the output's 10 rows (0-9)"]


def test_a_template_can_choose_positions_timing_and_fit(tmp_path):
    from convanim.templates import load_template

    path = tmp_path / "big_row.toml"
    path.write_text('name = "big_row"\ntitle = "A row"\ncaption = "One row of a large input."\n[spec]\ninput_size = 40\nkernel_size = 3\n'
                    '[view]\npositions = "row 5"\nduration = 19\nfit = "720p"\n')
    scene = build_scene(load_template(path).spec, make_view(**load_template(path).view_args))
    assert scene.frame_count == 38 and sum(scene.durations_ms) == 19_000
    assert scene.width <= 1280 and scene.height <= 720 and max(scene.width / 1280, scene.height / 720) > 0.97
    assert all(title.split("(")[1].startswith("5, ") for title in scene.frame_titles)
