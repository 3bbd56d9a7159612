r"""Print CSPm syntax trees as CSPm text that parses back to the same tree.

The printer knows the grammar's precedence levels and adds only the parentheses the parser
needs: an operand is parenthesised when it binds more loosely than its position requires, and
an "open" form (``let``, ``if``, lambda, replicated operators), which extends as far right as
possible, is parenthesised unless nothing follows it. Output is deterministic: one
declaration per line (a blank line between top-level declarations), ``let`` declarations on
their own indented lines, ``\n`` line endings and a trailing newline.

Printing is iterative (an explicit work stack emitting text in order), so a 50,000-deep prefix
chain prints in linear time.

>>> from cspotlp.cspm.parser import parse_expr
>>> print_expr(parse_expr("(a -> STOP) [] ((b -> STOP) |~| c -> if x then P else Q)"))
'a -> STOP [] (b -> STOP |~| c -> if x then P else Q)'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cspotlp.cspm import ast

# Precedence levels, loosest (0) to tightest; see grammar.lark.
OPEN, ATAT, HIDE, INTERLEAVE, PAR, INTCHOICE, EXTCHOICE, INTERRUPT = 0, 1, 2, 3, 4, 5, 6, 7
SLIDING, SEQ, PREFIX, DOT, OR, AND, NOT, CMP, ADD, MUL, UNARY, CAT, APP, ATOM = range(8, 22)

_BINOP_LEVEL = {
    ast.BinOp.CONCAT: CAT,
    ast.BinOp.TIMES: MUL, ast.BinOp.DIV: MUL, ast.BinOp.MOD: MUL,
    ast.BinOp.PLUS: ADD, ast.BinOp.MINUS: ADD,
    ast.BinOp.EQ: CMP, ast.BinOp.NE: CMP, ast.BinOp.LT: CMP, ast.BinOp.GT: CMP,
    ast.BinOp.LE: CMP, ast.BinOp.GE: CMP,
    ast.BinOp.AND: AND, ast.BinOp.OR: OR,
}
_PROCOP_LEVEL = {
    ast.ProcOp.SEQ: SEQ, ast.ProcOp.SLIDING: SLIDING, ast.ProcOp.INTERRUPT: INTERRUPT,
    ast.ProcOp.EXT_CHOICE: EXTCHOICE, ast.ProcOp.INT_CHOICE: INTCHOICE,
    ast.ProcOp.INTERLEAVE: INTERLEAVE,
}
_NONASSOC = frozenset({CMP, PAR})
_OPEN_FORMS = (ast.If, ast.Let, ast.Lambda, ast.Replicated, ast.RepAlphaPar, ast.RepGenPar,
               ast.RepLinkPar, ast.RepSyncExtChoice)
_GLUED = frozenset({"--", "{-", "<-", "[[", "[|", "{|", ":[", "::", "[+", "[>", "[]"})
"""Character pairs that would lex as one token (or a comment) if printed without a space."""
_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}

Item = tuple[Any, ...]
"""A work item: ("s", text) | ("e", exp, level, right_edge, ctx) | ("p", pat, level)
| ("d", decl, ctx) | ("n", indent) | ("f", field, ctx) | ("t", stmt, ctx) | ("y", type, level)."""


@dataclass(frozen=True, slots=True)
class Ctx:
    """Where we print.

    ``indent`` is the indentation of the current declaration; ``in_seq`` says whether we are
    directly inside a sequence's angle brackets, where a bare ``>`` would close the sequence.
    """

    indent: int = 0
    in_seq: bool = False

    def bracket(self, seq: bool = False) -> Ctx:
        """The context inside a bracket (a sequence's when ``seq``)."""
        return Ctx(self.indent, seq) if seq != self.in_seq else self

    def nested(self, extra: int) -> Ctx:
        """The context of declarations indented ``extra`` more (inside ``let``)."""
        return Ctx(self.indent + extra, False)


def _quote(text: str, quote: str) -> str:
    body = "".join(_ESCAPES.get(ch, "\\" + ch if ch == quote else ch) for ch in text)
    return f"{quote}{body}{quote}"


def exp_level(e: ast.Exp) -> int:
    """The precedence level of an expression's outermost operator."""
    if isinstance(e, _OPEN_FORMS):
        return OPEN
    if isinstance(e, ast.IntLit):
        return UNARY if e.value < 0 else ATOM
    if isinstance(e, ast.BinaryOp):
        return _BINOP_LEVEL[e.op]
    if isinstance(e, ast.UnaryOp):
        return NOT if e.op is ast.UnOp.NOT else UNARY
    if isinstance(e, ast.ProcBinary):
        return _PROCOP_LEVEL[e.op]
    if isinstance(e, ast.App | ast.Rename):
        return APP
    if isinstance(e, ast.DotExp):
        return DOT
    if isinstance(e, ast.Prefix | ast.Guard):
        return PREFIX
    if isinstance(e, ast.SyncInterrupt):
        return INTERRUPT
    if isinstance(e, ast.SyncExtChoice):
        return EXTCHOICE
    if isinstance(e, ast.GenPar | ast.AlphaPar | ast.LinkPar | ast.ExceptionOp):
        return PAR
    if isinstance(e, ast.Hide | ast.Project):
        return HIDE
    return ATOM


def pat_level(p: ast.Pat) -> int:
    """The precedence level of a pattern's outermost operator."""
    if isinstance(p, ast.PDouble):
        return ATAT
    if isinstance(p, ast.PDot):
        return DOT
    if isinstance(p, ast.PConcat):
        return CAT
    if isinstance(p, ast.PInt) and p.value < 0:
        return UNARY
    return ATOM


class _Printer:
    def __init__(self) -> None:
        self.out: list[str] = []

    def run(self, first: Item) -> str:
        stack: list[Item] = [first]
        out = self.out
        last = ""
        while stack:
            item = stack.pop()
            tag = item[0]
            if tag == "s":
                text: str = item[1]
                if text and last + text[0] in _GLUED:
                    out.append(" ")
                out.append(text)
                last = text[-1:] or last
            elif tag == "n":
                out.append("\n" + " " * item[1])
                last = " "
            else:
                stack.extend(reversed(_EXPANDERS[tag](*item[1:])))
        return "".join(out)


# --- expressions -------------------------------------------------------------------------------


def _sep(items: Any, make: Callable[[Any], list[Item]], sep: str = ", ") -> list[Item]:
    out: list[Item] = []
    for i, x in enumerate(items):
        if i:
            out.append(("s", sep))
        out.extend(make(x))
    return out


def _exps(items: Any, c: Ctx) -> list[Item]:
    return _sep(items, lambda e: [("e", e, OPEN, True, c)])


def _stmts(stmts: Any, c: Ctx) -> list[Item]:
    return _sep(stmts, lambda s: [("t", s, c)])


def _pairs(pairs: Any, arrow: str, c: Ctx) -> list[Item]:
    return _sep(pairs, lambda p: [("e", p[0], OPEN, True, c), ("s", arrow),
                                  ("e", p[1], OPEN, True, c)])


def _comp(items: list[Item], stmts: Any, c: Ctx) -> list[Item]:
    if not stmts:
        return items
    return [*items, ("s", " | "), *_stmts(stmts, c)]


def _expand_exp(e: ast.Exp, level: int, right_edge: bool, c: Ctx) -> list[Item]:
    own = exp_level(e)
    needs_parens = (not right_edge) if own == OPEN else own < level
    if c.in_seq and isinstance(e, ast.BinaryOp) and e.op is ast.BinOp.GT:
        needs_parens = True  # a bare '>' would close the sequence
    if needs_parens:
        return [("s", "("), ("e", e, OPEN, True, c.bracket()), ("s", ")")]
    handler = _EXP_HANDLERS.get(type(e))
    if handler is None:
        raise TypeError(f"cannot print {type(e).__name__}")
    return handler(e, right_edge, c)


def _binary(left: Any, op: str, right: Any, own: int, right_edge: bool, c: Ctx,
            nonassoc: bool = False) -> list[Item]:
    return [("e", left, own + 1 if nonassoc else own, False, c), ("s", op),
            ("e", right, own + 1, right_edge, c)]


def _h_var(e: ast.Var, r: bool, c: Ctx) -> list[Item]:
    return [("s", e.name)]


def _h_int(e: ast.IntLit, r: bool, c: Ctx) -> list[Item]:
    return [("s", str(e.value))]


def _h_bool(e: ast.BoolLit, r: bool, c: Ctx) -> list[Item]:
    return [("s", "true" if e.value else "false")]


def _h_char(e: ast.CharLit, r: bool, c: Ctx) -> list[Item]:
    return [("s", _quote(e.value, "'"))]


def _h_string(e: ast.StringLit, r: bool, c: Ctx) -> list[Item]:
    return [("s", _quote(e.value, '"'))]


def _h_app(e: ast.App, r: bool, c: Ctx) -> list[Item]:
    return [("e", e.func, APP, False, c), ("s", "("), *_exps(e.args, c.bracket()), ("s", ")")]


def _h_unary(e: ast.UnaryOp, r: bool, c: Ctx) -> list[Item]:
    own = exp_level(e)
    op = "not " if e.op is ast.UnOp.NOT else e.op.value
    return [("s", op), ("e", e.operand, own, r, c)]


def _h_binary(e: ast.BinaryOp, r: bool, c: Ctx) -> list[Item]:
    own = _BINOP_LEVEL[e.op]
    op = "^" if e.op is ast.BinOp.CONCAT else f" {e.op.value} "
    return _binary(e.left, op, e.right, own, r, c, own in _NONASSOC)


def _h_dot(e: ast.DotExp, r: bool, c: Ctx) -> list[Item]:
    out: list[Item] = []
    last = len(e.items) - 1
    for k, item in enumerate(e.items):
        if k:
            out.append(("s", "."))
        out.append(("e", item, OR, r and k == last, c))
    return out


def _h_if(e: ast.If, r: bool, c: Ctx) -> list[Item]:
    return [("s", "if "), ("e", e.cond, OPEN, True, c), ("s", " then "),
            ("e", e.then_branch, OPEN, True, c), ("s", " else "),
            ("e", e.else_branch, OPEN, r, c)]


def _h_let(e: ast.Let, r: bool, c: Ctx) -> list[Item]:
    out: list[Item] = [("s", "let")]
    for d in e.decls:
        out += [("n", c.indent + 4), ("d", d, c.nested(4))]
    return [*out, ("n", c.indent + 2), ("s", "within "), ("e", e.body, OPEN, r, c)]


def _h_lambda(e: ast.Lambda, r: bool, c: Ctx) -> list[Item]:
    params = _sep(e.params, lambda p: [("p", p, OPEN)])
    return [("s", "\\ "), *params, ("s", " @ "), ("e", e.body, OPEN, r, c)]


def _h_tuple(e: ast.TupleExp, r: bool, c: Ctx) -> list[Item]:
    return [("s", "("), *_exps(e.items, c.bracket()), ("s", ")")]


def _h_seq(e: ast.SeqExp, r: bool, c: Ctx) -> list[Item]:
    if not e.items:
        return [("s", "<>")]
    return [("s", "<"), *_exps(e.items, c.bracket(seq=True)), ("s", ">")]


def _range(low: ast.Exp, high: ast.Exp | None, c: Ctx) -> list[Item]:
    out: list[Item] = [("e", low, OPEN, True, c), ("s", "..")]
    if high is not None:
        out.append(("e", high, OPEN, True, c))
    return out


def _h_seq_range(e: ast.SeqRange, r: bool, c: Ctx) -> list[Item]:
    return [("s", "<"), *_range(e.low, e.high, c.bracket(seq=True)), ("s", ">")]


def _h_seq_comp(e: ast.SeqComp, r: bool, c: Ctx) -> list[Item]:
    q = c.bracket(seq=True)
    return [("s", "<"), *_comp(_exps(e.items, q), e.stmts, q), ("s", ">")]


def _h_seq_range_comp(e: ast.SeqRangeComp, r: bool, c: Ctx) -> list[Item]:
    q = c.bracket(seq=True)
    return [("s", "<"), *_comp(_range(e.low, e.high, q), e.stmts, q), ("s", ">")]


def _h_set(e: ast.SetExp, r: bool, c: Ctx) -> list[Item]:
    return [("s", "{"), *_exps(e.items, c.bracket()), ("s", "}")]


def _h_set_range(e: ast.SetRange, r: bool, c: Ctx) -> list[Item]:
    return [("s", "{"), *_range(e.low, e.high, c.bracket()), ("s", "}")]


def _h_set_comp(e: ast.SetComp, r: bool, c: Ctx) -> list[Item]:
    b = c.bracket()
    return [("s", "{"), *_comp(_exps(e.items, b), e.stmts, b), ("s", "}")]


def _h_set_range_comp(e: ast.SetRangeComp, r: bool, c: Ctx) -> list[Item]:
    b = c.bracket()
    return [("s", "{"), *_comp(_range(e.low, e.high, b), e.stmts, b), ("s", "}")]


def _h_enum(e: ast.EnumSet, r: bool, c: Ctx) -> list[Item]:
    return [("s", "{| "), *_exps(e.items, c.bracket()), ("s", " |}")]


def _h_enum_comp(e: ast.EnumSetComp, r: bool, c: Ctx) -> list[Item]:
    b = c.bracket()
    return [("s", "{| "), *_comp(_exps(e.items, b), e.stmts, b), ("s", " |}")]


def _h_map(e: ast.MapExp, r: bool, c: Ctx) -> list[Item]:
    if not e.pairs:
        return [("s", "(| |)")]
    return [("s", "(| "), *_pairs(e.pairs, " => ", c.bracket()), ("s", " |)")]


def _h_prefix(e: ast.Prefix, r: bool, c: Ctx) -> list[Item]:
    out: list[Item] = [("e", e.event, DOT, False, c)]
    out.extend(("f", f, c) for f in e.fields)
    return [*out, ("s", " -> "), ("e", e.body, PREFIX, r, c)]


def _h_guard(e: ast.Guard, r: bool, c: Ctx) -> list[Item]:
    return [("e", e.cond, DOT, False, c), ("s", " & "), ("e", e.body, PREFIX, r, c)]


def _h_proc_binary(e: ast.ProcBinary, r: bool, c: Ctx) -> list[Item]:
    own = _PROCOP_LEVEL[e.op]
    op = "; " if e.op is ast.ProcOp.SEQ else f" {e.op.value} "
    return _binary(e.left, op, e.right, own, r, c)


_HIDING_SPLITS = (ast.ProcBinary, ast.GenPar, ast.AlphaPar, ast.ExceptionOp, ast.SyncExtChoice,
                  ast.SyncInterrupt)


def _hiding(e: ast.Hide | ast.Project, op: str, r: bool, c: Ctx) -> list[Item]:
    if isinstance(e.events, _HIDING_SPLITS):
        # 'P \\ A op Q' reads as '(P \\ A) op Q': the set needs its parentheses.
        return [("e", e.proc, HIDE, False, c), ("s", op), ("s", "("),
                ("e", e.events, OPEN, True, c.bracket()), ("s", ")")]
    return _binary(e.proc, op, e.events, HIDE, r, c)


def _h_hide(e: ast.Hide, r: bool, c: Ctx) -> list[Item]:
    return _hiding(e, " \\ ", r, c)


def _h_project(e: ast.Project, r: bool, c: Ctx) -> list[Item]:
    return _hiding(e, " |\\ ", r, c)


def _around(left: ast.Exp, opening: list[Item], right: ast.Exp, own: int, r: bool, c: Ctx,
            nonassoc: bool) -> list[Item]:
    return [("e", left, own + 1 if nonassoc else own, False, c), *opening,
            ("e", right, own + 1, r, c)]


def _h_gen_par(e: ast.GenPar, r: bool, c: Ctx) -> list[Item]:
    sync = [("s", " [| "), ("e", e.sync, OPEN, True, c.bracket()), ("s", " |] ")]
    return _around(e.left, sync, e.right, PAR, r, c, True)


def _h_alpha_par(e: ast.AlphaPar, r: bool, c: Ctx) -> list[Item]:
    b = c.bracket()
    alphas = [("s", " ["), ("e", e.left_alpha, OPEN, True, b), ("s", " || "),
              ("e", e.right_alpha, OPEN, True, b), ("s", "] ")]
    return _around(e.left, alphas, e.right, PAR, r, c, True)


def _h_exception(e: ast.ExceptionOp, r: bool, c: Ctx) -> list[Item]:
    events = [("s", " [| "), ("e", e.events, OPEN, True, c.bracket()), ("s", " |> ")]
    return _around(e.left, events, e.right, PAR, r, c, True)


def _h_link_par(e: ast.LinkPar, r: bool, c: Ctx) -> list[Item]:
    b = c.bracket()
    ties = [("s", " ["), *_comp(_pairs(e.ties, " <-> ", b), e.stmts, b), ("s", "] ")]
    return _around(e.left, ties, e.right, PAR, r, c, True)


def _h_sync_ext(e: ast.SyncExtChoice, r: bool, c: Ctx) -> list[Item]:
    events = [("s", " [+ "), ("e", e.events, OPEN, True, c.bracket()), ("s", " +] ")]
    return _around(e.left, events, e.right, EXTCHOICE, r, c, False)


def _h_sync_int(e: ast.SyncInterrupt, r: bool, c: Ctx) -> list[Item]:
    events = [("s", " /+ "), ("e", e.events, OPEN, True, c.bracket()), ("s", " +\\ ")]
    return _around(e.left, events, e.right, INTERRUPT, r, c, False)


def _h_rename(e: ast.Rename, r: bool, c: Ctx) -> list[Item]:
    b = c.bracket()
    pairs = _comp(_pairs(e.pairs, " <- ", b), e.stmts, b)
    return [("e", e.proc, APP, False, c), ("s", "[["), *pairs, ("s", "]]")]


def _h_replicated(e: ast.Replicated, r: bool, c: Ctx) -> list[Item]:
    return [("s", e.op.value + " "), *_stmts(e.stmts, c), ("s", " @ "),
            ("e", e.body, OPEN, r, c)]


def _h_rep_alpha(e: ast.RepAlphaPar, r: bool, c: Ctx) -> list[Item]:
    return [("s", "|| "), *_stmts(e.stmts, c), ("s", " @ ["),
            ("e", e.alphabet, OPEN, True, c.bracket()), ("s", "] "), ("e", e.body, OPEN, r, c)]


def _h_rep_gen(e: ast.RepGenPar, r: bool, c: Ctx) -> list[Item]:
    return [("s", "[| "), ("e", e.sync, OPEN, True, c.bracket()), ("s", " |] "), *_stmts(e.stmts, c),
            ("s", " @ "), ("e", e.body, OPEN, r, c)]


def _h_rep_link(e: ast.RepLinkPar, r: bool, c: Ctx) -> list[Item]:
    b = c.bracket()
    ties = _comp(_pairs(e.ties, " <-> ", b), e.tie_stmts, b)
    return [("s", "["), *ties, ("s", "] "), *_stmts(e.stmts, c), ("s", " @ "),
            ("e", e.body, OPEN, r, c)]


def _h_rep_sync_ext(e: ast.RepSyncExtChoice, r: bool, c: Ctx) -> list[Item]:
    return [("s", "[+ "), ("e", e.events, OPEN, True, c.bracket()), ("s", " +] "),
            *_stmts(e.stmts, c),
            ("s", " @ "), ("e", e.body, OPEN, r, c)]


_EXP_HANDLERS: dict[type, Callable[[Any, bool, Ctx], list[Item]]] = {
    ast.Var: _h_var, ast.IntLit: _h_int, ast.BoolLit: _h_bool, ast.CharLit: _h_char,
    ast.StringLit: _h_string, ast.App: _h_app, ast.UnaryOp: _h_unary,
    ast.BinaryOp: _h_binary, ast.DotExp: _h_dot, ast.If: _h_if, ast.Let: _h_let,
    ast.Lambda: _h_lambda, ast.TupleExp: _h_tuple, ast.SeqExp: _h_seq,
    ast.SeqRange: _h_seq_range, ast.SeqComp: _h_seq_comp, ast.SeqRangeComp: _h_seq_range_comp,
    ast.SetExp: _h_set, ast.SetRange: _h_set_range, ast.SetComp: _h_set_comp,
    ast.SetRangeComp: _h_set_range_comp, ast.EnumSet: _h_enum, ast.EnumSetComp: _h_enum_comp,
    ast.MapExp: _h_map, ast.Prefix: _h_prefix, ast.Guard: _h_guard,
    ast.ProcBinary: _h_proc_binary, ast.Hide: _h_hide, ast.Project: _h_project,
    ast.GenPar: _h_gen_par, ast.AlphaPar: _h_alpha_par, ast.ExceptionOp: _h_exception,
    ast.LinkPar: _h_link_par, ast.SyncExtChoice: _h_sync_ext, ast.SyncInterrupt: _h_sync_int,
    ast.Rename: _h_rename, ast.Replicated: _h_replicated, ast.RepAlphaPar: _h_rep_alpha,
    ast.RepGenPar: _h_rep_gen, ast.RepLinkPar: _h_rep_link,
    ast.RepSyncExtChoice: _h_rep_sync_ext,
}
"""How to print each expression class (a test checks that every class is covered)."""


# --- patterns, fields, statements ---------------------------------------------------------------


def _expand_pat(p: ast.Pat, level: int) -> list[Item]:
    if pat_level(p) < level:
        return [("s", "("), ("p", p, OPEN), ("s", ")")]
    if isinstance(p, ast.PVar):
        return [("s", p.name)]
    if isinstance(p, ast.PWild):
        return [("s", "_")]
    if isinstance(p, ast.PInt):
        return [("s", str(p.value))]
    if isinstance(p, ast.PBool):
        return [("s", "true" if p.value else "false")]
    if isinstance(p, ast.PChar):
        return [("s", _quote(p.value, "'"))]
    if isinstance(p, ast.PString):
        return [("s", _quote(p.value, '"'))]
    if isinstance(p, ast.PTuple):
        return [("s", "("), *_sep(p.items, lambda x: [("p", x, OPEN)]), ("s", ")")]
    if isinstance(p, ast.PSeq):
        if not p.items:
            return [("s", "<>")]
        return [("s", "<"), *_sep(p.items, lambda x: [("p", x, OPEN)]), ("s", ">")]
    if isinstance(p, ast.PSet):
        return [("s", "{"), *_sep(p.items, lambda x: [("p", x, OPEN)]), ("s", "}")]
    if isinstance(p, ast.PDot):
        return _sep(p.items, lambda x: [("p", x, OR)], ".")
    if isinstance(p, ast.PConcat):
        return [("p", p.left, CAT), ("s", "^"), ("p", p.right, APP)]
    if isinstance(p, ast.PDouble):
        return [("p", p.left, HIDE), ("s", " @@ "), ("p", p.right, HIDE)]
    raise TypeError(f"cannot print {type(p).__name__}")


def _expand_field(f: ast.Field, c: Ctx) -> list[Item]:
    if isinstance(f, ast.Output):
        return [("s", "!"), ("e", f.value, DOT, False, c)]
    assert isinstance(f, ast.Input | ast.NondetInput)
    mark = "?" if isinstance(f, ast.Input) else "$"
    out: list[Item] = [("s", mark), ("p", f.pattern, DOT)]
    if f.restriction is not None:
        out += [("s", ":"), ("e", f.restriction, OR, False, c)]
    return out


def _expand_stmt(s: ast.Stmt, c: Ctx) -> list[Item]:
    if isinstance(s, ast.Generator):
        return [("p", s.pattern, OPEN), ("s", " <- "), ("e", s.source, OPEN, True, c)]
    assert isinstance(s, ast.Qualifier)
    return [("e", s.cond, OPEN, True, c)]


# --- declarations ------------------------------------------------------------------------------


def _names(idents: tuple[ast.Ident, ...]) -> str:
    return ", ".join(x.name for x in idents)


def _clauses(clauses: tuple[ast.DataClause, ...], c: Ctx) -> list[Item]:
    def one(clause: ast.DataClause) -> list[Item]:
        if clause.type_expr is None:
            return [("s", clause.name)]
        return [("s", clause.name + "."), ("e", clause.type_expr, OPEN, True, c)]

    return _sep(clauses, one, " | ")


def _assertion_head(e: ast.Exp, c: Ctx) -> list[Item]:
    """The first expression of an assertion: ``assert not ...`` would read as a negation."""
    if re.match(r"not\b", print_expr(e)):
        return [("s", "("), ("e", e, OPEN, True, c), ("s", ")")]
    return [("e", e, OPEN, True, c)]


def _assertion(a: ast.Assertion, c: Ctx) -> list[Item]:
    if isinstance(a, ast.Refinement):
        out: list[Item] = [*_assertion_head(a.spec, c), ("s", f" [{a.model.value}= "),
                           ("e", a.impl, OPEN, True, c)]
        tau = a.tau_priority
    elif isinstance(a, ast.PropertyCheck):
        model = f" [{a.model.value}]" if a.model is not None else ""
        out = [*_assertion_head(a.process, c), ("s", f" :[{a.prop.value}{model}]")]
        tau = a.tau_priority
    else:
        assert isinstance(a, ast.HasTrace)
        model = f" [{a.model.value}]" if a.model is not None else ""
        out = [*_assertion_head(a.process, c), ("s", f" :[has trace{model}]: "),
               ("e", a.trace, OPEN, True, c)]
        tau = a.tau_priority
    if tau is not None:
        out += [("s", " :[tau priority]: "), ("e", tau, OPEN, True, c)]
    if a.partial_order is not None:
        mode = f" [{a.partial_order}]" if a.partial_order else ""
        out.append(("s", f" :[partial order reduce{mode}]"))
    return out


# --- type annotations ----------------------------------------------------------------------------

T_FUN, T_DOTABLE, T_DOT, T_ATOM = range(4)


def _type_level(t: ast.SType) -> int:
    if isinstance(t, ast.STFunction):
        return T_FUN
    if isinstance(t, ast.STDotable | ast.STExtendable):
        return T_DOTABLE
    if isinstance(t, ast.STDot):
        return T_DOT
    return T_ATOM


def _expand_type(t: ast.SType, level: int) -> list[Item]:
    if _type_level(t) < level:
        return [("s", "("), ("y", t, T_FUN), ("s", ")")]
    if isinstance(t, ast.STName):
        return [("s", t.name)]
    if isinstance(t, ast.STSet):
        return [("s", "{"), ("y", t.elem, T_FUN), ("s", "}")]
    if isinstance(t, ast.STSeq):
        return [("s", "<"), ("y", t.elem, T_FUN), ("s", ">")]
    if isinstance(t, ast.STTuple):
        return [("s", "("), *_sep(t.items, lambda x: [("y", x, T_FUN)]), ("s", ")")]
    if isinstance(t, ast.STFunction):
        return [("s", "("), *_sep(t.args, lambda x: [("y", x, T_FUN)]), ("s", ") -> "),
                ("y", t.result, T_FUN)]
    if isinstance(t, ast.STDotable):
        return [("y", t.arg, T_DOT), ("s", " => "), ("y", t.result, T_DOTABLE)]
    if isinstance(t, ast.STExtendable):
        return [("s", f"{t.var} =>* "), ("y", t.result, T_DOTABLE)]
    if isinstance(t, ast.STDot):
        return _sep(t.items, lambda x: [("y", x, T_ATOM)], ".")
    if isinstance(t, ast.STMap):
        return [("s", "(| "), ("y", t.key, T_DOT), ("s", " => "), ("y", t.value, T_FUN),
                ("s", " |)")]
    raise TypeError(f"cannot print {type(t).__name__}")


def _scheme(scheme: ast.TypeScheme) -> list[Item]:
    cons = [f"{k.type_class} {k.var}" for k in scheme.constraints]
    head: list[Item] = []
    if len(cons) == 1:
        head = [("s", f"{cons[0]} => ")]
    elif cons:
        head = [("s", "(" + ", ".join(cons) + ") => ")]
    return [*head, ("y", scheme.body, T_FUN)]


def _block(decls: tuple[ast.Decl, ...], c: Ctx) -> list[Item]:
    """Declarations on their own lines, indented four more than ``c``."""
    out: list[Item] = []
    for d in decls:
        out += [("n", c.indent + 4), ("d", d, c.nested(4))]
    return out


def _expand_decl(d: ast.Decl, c: Ctx) -> list[Item]:
    if isinstance(d, ast.FunBind):
        out: list[Item] = []
        for k, clause in enumerate(d.clauses):
            if k:
                out.append(("n", c.indent))
            out.append(("s", d.name))
            for group in clause.params:
                out += [("s", "("), *_sep(group, lambda p: [("p", p, OPEN)]), ("s", ")")]
            out += [("s", " = "), ("e", clause.body, OPEN, True, c)]
        return out
    if isinstance(d, ast.PatBind):
        return [("p", d.pattern, OPEN), ("s", " = "), ("e", d.body, OPEN, True, c)]
    if isinstance(d, ast.ChannelDecl):
        head: list[Item] = [("s", "channel " + _names(d.names))]
        if d.type_expr is None:
            return head
        return [*head, ("s", " : "), ("e", d.type_expr, OPEN, True, c)]
    if isinstance(d, ast.DataTypeDecl):
        return [("s", f"datatype {d.name} = "), *_clauses(d.clauses, c)]
    if isinstance(d, ast.SubTypeDecl):
        return [("s", f"subtype {d.name} = "), *_clauses(d.clauses, c)]
    if isinstance(d, ast.NameTypeDecl):
        return [("s", f"nametype {d.name} = "), ("e", d.type_expr, OPEN, True, c)]
    if isinstance(d, ast.AssertDecl):
        return [("s", "assert not " if d.negated else "assert "),
                *_assertion(d.assertion, c)]
    if isinstance(d, ast.TransparentDecl):
        return [("s", "transparent " + _names(d.names))]
    if isinstance(d, ast.ExternalDecl):
        return [("s", "external " + _names(d.names))]
    if isinstance(d, ast.IncludeDecl):
        return [("s", "include " + _quote(d.path, '"'))]
    if isinstance(d, ast.PrintDecl):
        return [("s", "print " + d.text)]
    if isinstance(d, ast.TypeAnnotation):
        return [("s", _names(d.names) + " :: "), *_scheme(d.scheme)]
    if isinstance(d, ast.InstanceDecl):
        out = [("s", f"instance {d.name} = {d.module}")]
        if d.args is not None:
            out += [("s", "("), *_exps(d.args, c.bracket()), ("s", ")")]
        return out
    if isinstance(d, ast.TimedSection):
        out = [("s", "Timed")]
        if d.function is not None:
            out += [("s", " ("), ("e", d.function, OPEN, True, c.bracket()), ("s", ")")]
        return [*out, ("s", " {"), *_block(d.decls, c), ("n", c.indent), ("s", "}")]
    if isinstance(d, ast.ModuleDecl):
        out = [("s", f"module {d.name}")]
        if d.params is not None:
            out += [("s", "("), *_sep(d.params, lambda p: [("p", p, OPEN)]), ("s", ")")]
        out += [*_block(d.private, c), ("n", c.indent), ("s", "exports"), *_block(d.exports, c)]
        return [*out, ("n", c.indent), ("s", "endmodule")]
    raise TypeError(f"cannot print {type(d).__name__}")


_EXPANDERS: dict[str, Callable[..., list[Item]]] = {
    "e": _expand_exp,
    "p": _expand_pat,
    "d": _expand_decl,
    "f": _expand_field,
    "t": _expand_stmt,
    "y": _expand_type,
}


def print_expr(e: ast.Exp) -> str:
    """CSPm text of an expression (one line unless it contains ``let``)."""
    return _Printer().run(("e", e, OPEN, True, Ctx()))


def print_pattern(p: ast.Pat) -> str:
    """CSPm text of a pattern."""
    return _Printer().run(("p", p, OPEN))


def print_decl(d: ast.Decl) -> str:
    """CSPm text of one declaration (several lines for a multi-equation function)."""
    return _Printer().run(("d", d, Ctx()))


def print_script(script: ast.Script) -> str:
    """CSPm text of a whole script: declarations separated by blank lines, final newline."""
    if not script.decls:
        return ""
    return "\n\n".join(print_decl(d) for d in script.decls) + "\n"
