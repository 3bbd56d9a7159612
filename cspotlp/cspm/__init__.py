r"""CSPm, the input language of FDR4: parser, scope and type checker, printer.

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

Not supported yet (each fails with ``file:line:col: unsupported construct: ...``): modules,
type annotations ``f :: T`` and qualified names, ``print`` statements, timed sections, and the
``:[partial order reduce]`` assertion option.
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
