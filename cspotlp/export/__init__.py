"""Exporters: pure functions from cspotlp values to text for other tools.

* :func:`export_cspm` — captured traces (abstracted) as a CSPm script for FDR4, with the
  assertion ``SPEC [T= OBSERVED`` against an included specification and a sidecar mapping
  every event back to its spans; :func:`read_spec_interface` reads what it needs of a
  specification script.
"""

from cspotlp.export.cspm import CspmExport, SpecRef, export_cspm, spans_of_counterexample
from cspotlp.export.cspm_spec import SpecInterface, read_spec_interface, spec_interface

__all__ = ["CspmExport", "SpecInterface", "SpecRef", "export_cspm", "read_spec_interface",
           "spans_of_counterexample", "spec_interface"]
