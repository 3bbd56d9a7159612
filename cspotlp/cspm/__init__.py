r"""CSPm, the input language of FDR4: parser, scope and type checker, evaluator, printers.

>>> from cspotlp.cspm import parse_script, check_script, print_script
>>> script = parse_script("channel c : {0..2}\nP = c?x -> c!(x+1)%3 -> P\n", "p.csp")
>>> checked = check_script(script)
>>> print(print_script(script), end="")
channel c : {0..2}
<BLANKLINE>
P = c?x -> c!(x + 1) % 3 -> P

Reading: :func:`parse_file` (inlines ``include``), :func:`parse_script`, :func:`parse_expr`
give a :class:`~cspotlp.cspm.ast.Script` / expression; every node has a ``span``.
Checking: :func:`check_script` resolves names and infers types, returning a
:class:`CheckedScript` whose ``resolution`` maps each ``Var`` (and each constructor ``PVar``)
to its :class:`Binding`, and whose ``types``/``schemes`` hold the inferred types.
Walking: :func:`walk`, :func:`fold`, :func:`children` (iterative, any depth) and
:func:`ast_equal`. Printing: :func:`print_script`, :func:`print_expr`, :func:`print_decl`.

Evaluating: :func:`load_script` (or :func:`load_text`) gives a :class:`LoadedScript`: its
``value(name)``, its :class:`~cspotlp.csp.Environment` (channels, datatypes, process
definitions), its assertions; :func:`check_assertions` runs them as FDR's batch mode does.
Processes print back as CSPm with :func:`print_process` (the text evaluates to the same term),
or as libcspm's process graphs with :func:`print_process_graph`.

>>> loaded = load_text("channel c : {0..2}\nP = c?x -> c!(x+1)%3 -> P\n")
>>> print(print_process_graph(loaded.process("P"), loaded.env), end="")
P = c.0 -> c.1 -> P [] c.1 -> c.2 -> P [] c.2 -> c.0 -> P
<BLANKLINE>
P

FDR4's CSPm is read and checked as libcspm (FDR's front end) checks it: modules and instances
(elaborated into plain declarations by :mod:`cspotlp.cspm.modules`), type annotations with
class contexts, ``Timed`` sections (their processes translated into tock-CSP as FDR4 does:
:mod:`cspotlp.cspm.timed`), ``print``, every assertion option. What cannot be *evaluated*
fails with ``file:line:col: unsupported construct: ...`` (never a wrong answer): exploring
``BUFFER`` / ``WEAK_BUFFER``, and the refusal and revival models (``[R=``, ``[V=``...).
Channels of infinite type and recursive datatypes are used, as in FDR, where finitely many
values are.
"""

from cspotlp.cspm import ast
from cspotlp.cspm.assertions import AssertionResult, check_assertion, check_assertions
from cspotlp.cspm.evaluate import Evaluator, LoadedScript, load_script, load_text
from cspotlp.cspm.parser import grammar_parser, parse_expr, parse_file, parse_script
from cspotlp.cspm.printer import print_decl, print_expr, print_pattern, print_script
from cspotlp.cspm.procgraph import print_process_graph
from cspotlp.cspm.procprint import print_process
from cspotlp.cspm.scope import Binding, Kind, Resolution, resolve_script
from cspotlp.cspm.traverse import ast_equal, children, fold, node_count, walk
from cspotlp.cspm.typecheck import CheckedScript, check_script
from cspotlp.cspm.types import Scheme, Type, TypePrinter, show_type

__all__ = [
    "AssertionResult",
    "Evaluator",
    "LoadedScript",
    "check_assertion",
    "check_assertions",
    "load_script",
    "load_text",
    "print_process",
    "print_process_graph",
    "Binding",
    "CheckedScript",
    "Kind",
    "Resolution",
    "Scheme",
    "Type",
    "TypePrinter",
    "ast",
    "ast_equal",
    "check_script",
    "children",
    "fold",
    "grammar_parser",
    "node_count",
    "parse_expr",
    "parse_file",
    "parse_script",
    "print_decl",
    "print_expr",
    "print_pattern",
    "print_script",
    "resolve_script",
    "show_type",
    "walk",
]
