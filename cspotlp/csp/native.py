"""The native kernel (``cspotlp/csp/_native.c``): whether it was built, and one search's program.

The kernel is compiled by ``pip install`` when a C compiler and Python's headers are there
(``[tool.setuptools] ext-modules`` in ``pyproject.toml``, marked optional); without it everything
still works on the numpy engine, and :data:`UNAVAILABLE` says why. :func:`program` turns an
:class:`~cspotlp.csp.engine.Expander`'s rule tables and a specification automaton into the flat
arrays the kernel reads.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np

from cspotlp.csp.automaton import SpecAutomaton, StateChecker
from cspotlp.csp.engine import Expander, Layout

if TYPE_CHECKING:
    from cspotlp.csp._native import Program

ABI_VERSION = 8
"""The kernel's interface version this module speaks (a stale build is not used)."""

DISABLE_VARIABLE = "CSPOTLP_NO_NATIVE"
"""Set (to anything but empty) to run every search on the numpy engine."""

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_native.c")
"""The kernel's source: in a checkout (editable install) a build older than it is not used."""


def _load() -> tuple[ModuleType | None, str]:
    if os.environ.get(DISABLE_VARIABLE):
        return None, f"disabled by {DISABLE_VARIABLE}"
    try:
        _native = importlib.import_module("cspotlp.csp._native")
    except ImportError as e:
        return None, f"the native kernel is not built ({e}); reinstall with a C compiler and Python's headers"
    if getattr(_native, "ABI_VERSION", None) != ABI_VERSION:
        return None, "the native kernel is stale (another version); reinstall cspotlp to rebuild it"
    built = getattr(_native, "__file__", None)
    if built is not None and os.path.exists(SOURCE) and os.path.getmtime(SOURCE) > os.path.getmtime(built):
        # an editable install whose C source changed since pip built it
        return None, f"the native kernel is older than {SOURCE}; run bin/setup (or pip install -e .) to rebuild it"
    return _native, ""


KERNEL, UNAVAILABLE = _load()
"""The kernel module (None when it cannot be used) and, then, the reason."""


def program(expander: Expander, spec: SpecAutomaton, layout: Layout, owner_mask: int = 0) -> Program:
    """The kernel's program: ``expander``'s rule tables and ``spec`` as the search uses it.

    The specification's node is the last field of ``layout`` (as :func:`~cspotlp.csp.search.search`
    lays states out). ``owner_mask``: the bits of word 0 whose hash says which worker process owns
    a state (:mod:`cspotlp.csp.partition`); 0 hashes the whole state.
    """
    assert KERNEL is not None, UNAVAILABLE
    tables = expander.tables()
    node = layout.fields[len(layout.radices) - 1]
    steps = spec.search_steps()
    checker = StateChecker(spec, len(spec.events))
    check_acc = spec.acceptances is not None and not spec.any_event
    tables.update({
        "words": layout.words,
        "owner_mask": owner_mask,
        "max_candidates": expander.max_candidates,
        "trivial": int(spec.trivial),
        "follow_tick": int(spec.follow_tick),
        "node_word": node.word,
        "node_shift": node.shift,
        "node_bits": node.bits,
        "num_nodes": spec.num_nodes,
        "num_events": steps.shape[1],
        "step": np.ascontiguousarray(steps, dtype=np.int64).ravel(),
        "divergent": np.ascontiguousarray(spec.divergent, dtype=np.uint8),
        "any_event": int(spec.any_event),
        "check_acc": int(check_acc),
        "acc_offsets": checker.acc_offsets if check_acc else np.zeros(1, dtype=np.int64),
        "acc_bits": np.ascontiguousarray(checker.acc_bits).ravel() if check_acc else np.zeros(0, dtype=np.uint64),
    })
    for name, value in tables.items():
        if isinstance(value, np.ndarray):
            tables[name] = np.ascontiguousarray(value)
    made: Program = KERNEL.Program(tables)
    return made
