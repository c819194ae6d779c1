"""Plane labels and the caption under a figure, placed and sized alike in every figure."""

from __future__ import annotations

from collections.abc import Sequence

from convanim.figures.canvas import Style
from convanim.primitives import Item, Text
from convanim.theme import Theme


def label_items(lines: tuple[str, str, str], corner: tuple[float, float, float], oblique: bool, style: Style,
                theme: Theme, notes_above: bool = False) -> list[Item]:
    """A plane's name and shape (bold) with an optional note, beside its top-left corner; a note with newlines
    is drawn as that many lines, so that a long one does not push the figure sideways. Oblique, `notes_above` puts
    the note above the name: where connectors meet the corner from below (or rise from it), they pass under the
    name, clear of it."""
    name, shape, note = lines
    x, y, z = corner
    main = f"{name} {shape}"
    notes = note.split("\n") if note else []
    gap = (style.note_font * 1.3) / style.cell  # one note line, in cells (z and flat y are both screen-vertical)
    if oblique and notes_above:
        # The name's descenders clear the corner: a connector meeting the corner from below passes under the name.
        z += (style.label_font * 0.3 + 3.0) / style.cell
        lift = (style.label_font * 1.2) / style.cell
        items: list[Item] = [Text((x - 0.35, y, z), main, style.label_font, theme.text, "rs", bold=True)]
        items += [Text((x - 0.35, y, z + lift + (len(notes) - 1 - i) * gap), line, style.note_font, theme.muted_text,
                       "rs") for i, line in enumerate(notes)]
        return items
    if oblique:
        at = (x - 0.35, y, z)
        items = [Text(at, main, style.label_font, theme.text, "rs", bold=True)]
        items += [Text((x - 0.35, y, z - i * gap), line, style.note_font, theme.muted_text, "ra")
                  for i, line in enumerate(notes)]
        return items
    first = y - 0.25 - gap * len(notes) * 1.04
    items = [Text((x, first, z), main, style.label_font, theme.text, "ls", bold=True)]
    items += [Text((x, y - 0.25 - gap * (len(notes) - 1 - i), z), line, style.note_font, theme.muted_text, "ls")
              for i, line in enumerate(notes)]
    return items


def caption_items(title: str, frame_titles: tuple[str, ...], style: Style, theme: Theme,
                  notes: Sequence[str] = ()) -> list[Text]:
    """Caption lines in pixels relative to the caption's top centre; `finish` moves them under the figure. `notes`
    (static, e.g. which positions are shown) go between the title and the frame's line."""
    line = style.caption_font * 1.45
    items = [Text((0.0, 0.0, 0.0), title, style.caption_font, theme.text, "ma", screen=True)]
    items += [Text((0.0, line * (i + 1), 0.0), note, style.caption_font * 0.9, theme.muted_text, "ma", screen=True)
              for i, note in enumerate(notes)]
    row = line * (len(notes) + 1)
    items += [Text((0.0, row, 0.0), text, style.caption_font * 0.9, theme.muted_text, "ma", frame=t, screen=True)
              for t, text in enumerate(frame_titles)]
    return items
