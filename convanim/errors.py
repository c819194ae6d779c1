"""The one error type for user mistakes. Its own module so that every layer, the parser included, can raise it."""

from __future__ import annotations


class SpecError(ValueError):
    """A user mistake in a spec, a view, a template or a path: the message starts with the parameter's Python name
    (`input_size: must be positive, got 0`); the CLI turns that name into its flag."""
