"""Helpers for the evaluator tests: load a script text and read values back."""

from __future__ import annotations

from typing import Any

import pytest

from cspotlp.csp import Proc, call
from cspotlp.cspm.evaluate import LoadedScript, load_text
from cspotlp.errors import CspmError


def load(text: str) -> LoadedScript:
    return load_text(text, "t.csp")


def value(text: str, name: str = "x") -> Any:
    """The value of ``name`` in the script ``text``."""
    return load(text).value(name)


def expr(text: str, decls: str = "") -> Any:
    """The value of one expression, after some declarations."""
    return load(decls + "\nx = " + text + "\n").value("x")


def body(text: str, name: str = "P") -> Proc:
    """The body of the top-level process ``name`` (its definition unfolded once)."""
    loaded = load(text)
    return loaded.env.unfold(call(name))


def fails(text: str, name: str = "x", error: type[CspmError] = CspmError) -> CspmError:
    """Evaluating ``name`` raises ``error``; return it."""
    loaded = load(text)
    with pytest.raises(error) as info:
        v = loaded.value(name)
        if isinstance(v, Proc):
            loaded.env.unfold(v)
    return info.value
