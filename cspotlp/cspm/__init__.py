r"""CSPm, the input language of FDR4: parser, scope and type checker, printer.

>>> from cspotlp.cspm import parse_script, check_script, print_script
>>> script = parse_script("channel c : {0..2}\nP = c?x -> c!(x+1)%3 -> P\n", "p.csp")
>>> checked = check_script(script)
>>> print(print_script(script), end="")
channel c : {0..2}
<BLANKLINE>
P = c?x -> c!(x + 1) % 3 -> P

The AST (:mod:`cspotlp.cspm.ast`) is what the evaluator walks: use :func:`walk`,
:func:`fold` and :func:`children` (iterative, any depth), and the :class:`CheckedScript`
tables (name resolution, inferred types) keyed by node.
"""

from cspotlp.cspm import ast
from cspotlp.cspm.parser import grammar_parser, parse_expr, parse_file, parse_script
from cspotlp.cspm.printer import print_decl, print_expr, print_pattern, print_script
from cspotlp.cspm.scope import Binding, Kind, Resolution, resolve_script
from cspotlp.cspm.traverse import ast_equal, children, fold, node_count, walk
from cspotlp.cspm.typecheck import CheckedScript, check_script
from cspotlp.cspm.types import Scheme, Type, TypePrinter, show_type

__all__ = [
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
