"""Loading a specification process from a CSPm script (for ``cspotlp conform``)."""

from __future__ import annotations

import os
from collections.abc import Sequence

from cspotlp.csp.environment import Environment
from cspotlp.csp.terms import Proc
from cspotlp.cspm.evaluate import load_script
from cspotlp.cspm.scope import Kind
from cspotlp.cspm.types import PROC, prune
from cspotlp.errors import CspmEvalError, VerifyError


def load_spec(path: str | os.PathLike[str], process: str,
              allow_include: Sequence[str | os.PathLike[str]] = ()) -> tuple[Proc, Environment]:
    """The process named ``process`` in the CSPm script ``path``, with its environment.

    Every channel of the script is declared in the environment, as FDR does when it loads a
    script (the conformance checker needs the whole alphabet up front, to tell an event the
    specification refuses from one it never mentions).

    ``allow_include``: directories outside the script's tree its includes may read.

    Raises:
        CspmError: the script does not parse, type-check or evaluate (located).
        VerifyError: the script defines no such process.
    """
    loaded = load_script(path, allow_include)
    checked = loaded.checked
    defined = sorted({b.name for b in checked.resolution.defs.values()
                      if b.group == 1 and b.kind is Kind.VALUE
                      and b in checked.schemes and prune(checked.schemes[b].body) == PROC})
    try:
        loaded.top_binding(process)
    except KeyError:
        raise VerifyError(f"{os.fspath(path)} defines no process {process!r}; its processes: "
                          f"{', '.join(defined) or 'none'}") from None
    loaded.force_declarations()
    proc = loaded.value(process)
    if not isinstance(proc, Proc):
        raise CspmEvalError(f"{process} is not a process")
    return proc, loaded.env


__all__ = ["load_spec"]
