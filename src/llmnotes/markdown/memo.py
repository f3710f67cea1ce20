"""Keep what the costly converters (Pygments, latex2mathml) made of a note's code and formulas for its next parse."""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

Made = TypeVar("Made")
Conversions = dict[bytes, Any]  # digest of (converter, its arguments) -> what it returned

# A one-note edit parses the note again: its unchanged code blocks and formulas are taken from what the last parse
# of the same note made (kept by the engine, see engine.body_edits), so that Pygments compiles no lexer and
# latex2mathml is not even imported, a third of such an edit's time. Only while `recording`.
_known: Conversions = {}
_made: Conversions | None = None


def remembered(converter: str, arguments: tuple, convert: Callable[[], Made]) -> Made:
    """`convert()`, or what it returned for the same converter and arguments in the note's last parse."""
    if _made is None:
        return convert()
    key = hashlib.blake2b(repr((converter, arguments)).encode(), digest_size=16).digest()
    found = _known.get(key, _MISSING)
    made = convert() if found is _MISSING else found
    _made[key] = made
    return made


@contextmanager
def recording(known: Conversions | None = None) -> Iterator[Conversions]:
    """Within the block, conversions are taken from `known` when there, and every conversion asked for is kept in
    the dict yielded: what the next parse of the same note can be given as `known`."""
    global _known, _made
    made: Conversions = {}
    saved = _known, _made
    _known, _made = known or {}, made
    try:
        yield made
    finally:
        _known, _made = saved


def pickled(conversions: Conversions) -> bytes:
    """How the engine keeps a note's conversions (see engine.body_edits)."""
    return pickle.dumps(conversions, pickle.HIGHEST_PROTOCOL)


_MISSING = object()
