"""Backends: each turns a scene into the bytes of one file format."""

from __future__ import annotations

FORMATS = {".gif": "gif", ".svg": "svg", ".png": "png", ".webp": "webp", ".apng": "apng"}
