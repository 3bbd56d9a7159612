"""Loading a specification process from a CSPm script (for ``cspotlp conform``)."""

from __future__ import annotations

import os

from cspotlp.csp.environment import Environment
from cspotlp.csp.terms import Proc
from cspotlp.errors import VerifyError


def load_spec(path: str | os.PathLike[str], process: str) -> tuple[Proc, Environment]:
    """The process named ``process`` in the CSPm script ``path``, with its environment.

    Raises:
        CspmError: the script does not parse, type-check or evaluate (located).
        VerifyError: the script defines no such process.
    """
    raise VerifyError(f"{os.fspath(path)}: loading {process} needs the CSPm evaluator, which "
                      "is not in this build yet")


__all__ = ["load_spec"]
