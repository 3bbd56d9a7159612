"""Specifications and abstractions as tests name them: files (cached) or objects.

A test suite names the same specification in many tests; each file is loaded once per
modification (the cache key is the resolved path, its modification time and size), so a
specification is parsed, type-checked and evaluated once per run. Relative paths are looked
up as given, then beside the running test file and in pytest's rootdir
(:func:`cspotlp.testing.context.resolve`).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from cspotlp.conformance import load_spec
from cspotlp.csp.environment import Environment
from cspotlp.csp.terms import Proc
from cspotlp.mapping.abstraction import DEFAULT_ABSTRACTION, Abstraction
from cspotlp.mapping.abstraction_file import abstraction_from_json, load_abstraction
from cspotlp.testing import context

SpecSource = str | os.PathLike[str] | tuple[Proc, Environment]
"""A CSPm file (with the process named separately), or a process with its environment."""
AbstractionSource = Abstraction | str | os.PathLike[str] | Mapping[str, Any] | None
"""An abstraction, a JSON/TOML abstraction file, its JSON object, or None (the default)."""

_CACHE_SIZE = 16


class Lru(OrderedDict[tuple[object, ...], Any]):
    """A small least-recently-used cache."""

    def get_or_make(self, key: tuple[object, ...], make: Callable[[], Any]) -> Any:
        """The value under ``key``, made (and the oldest entry evicted) when absent."""
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = self[key] = make()
        while len(self) > _CACHE_SIZE:
            self.popitem(last=False)
        return value


_SPECS = Lru()


def file_key(path: Path) -> tuple[str, int, int]:
    """What identifies one version of a file: resolved path, modification time, size."""
    st = path.stat()
    return str(path.resolve()), st.st_mtime_ns, st.st_size


def spec_terms(spec: SpecSource, process: str) -> tuple[tuple[object, ...], Proc, Environment]:
    """(cache key, process, environment) of a specification.

    Raises:
        FileNotFoundError: no such file.
        CspmError: the script does not load (located).
        VerifyError: it defines no process ``process``.
    """
    if isinstance(spec, tuple):
        proc, env = spec
        return ("terms", proc, id(env)), proc, env
    path = context.resolve(spec, "specification")
    key = ("file", *file_key(path), process)
    proc, env = _SPECS.get_or_make(key, lambda: load_spec(path, process))
    return key, proc, env


def spec_name(spec: SpecSource, process: str) -> str:
    """How messages name a specification: ``SPEC (model.csp)``, or the process term (cut short)."""
    if not isinstance(spec, tuple):
        return f"{process} ({os.fspath(spec)})"
    text = str(spec[0])
    return text if len(text) <= 60 else text[:57] + "..."


def abstraction_of(source: AbstractionSource) -> tuple[object, Abstraction]:
    """(cache key, abstraction) of an abstraction source.

    Raises:
        FileNotFoundError: no such file.
        AbstractionError: the abstraction is malformed (naming the key).
    """
    if source is None:
        return "default", DEFAULT_ABSTRACTION
    if isinstance(source, Abstraction):
        return source.dumps(), source
    if isinstance(source, Mapping):
        built = abstraction_from_json(dict(source))
        return built.dumps(), built
    path = context.resolve(source, "abstraction")
    return file_key(path), load_abstraction(path)


__all__ = ["AbstractionSource", "Lru", "SpecSource", "abstraction_of", "file_key", "spec_name",
           "spec_terms"]
