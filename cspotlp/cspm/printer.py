"""Print CSPm syntax trees as CSPm text that parses back to the same tree.

The printer knows the grammar's precedence levels and adds only the parentheses the parser
needs: an operand is parenthesised when it binds more loosely than its position requires, and
an "open" form (``let``, ``if``, lambda, replicated operators), which extends as far right as
possible, is parenthesised unless nothing follows it. Output is deterministic: one
declaration per line (a blank line between top-level declarations), ``let`` declarations on
their own indented lines, ``\\n`` line endings and a trailing newline.

Printing is iterative (an explicit work stack emitting text in order), so a 50,000-deep prefix
chain prints in linear time.

>>> from cspotlp.cspm.parser import parse_expr
>>> print_expr(parse_expr("(a -> STOP) [] ((b -> STOP) |~| c -> if x then P else Q)"))
'a -> STOP [] (b -> STOP |~| c -> if x then P else Q)'
"""

from __future__ import annotations

from collections.abc import Callable
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
_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}

Item = tuple[Any, ...]
"""A work item: ("s", text) | ("e", exp, level, right_edge, indent) | ("p", pat, level)
| ("d", decl, indent) | ("n", indent) | ("f", field, indent) | ("t", stmt, indent)."""


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
        while stack:
            item = stack.pop()
            tag = item[0]
            if tag == "s":
                out.append(item[1])
            elif tag == "n":
                out.append("\n" + " " * item[1])
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


def _exps(items: Any, indent: int) -> list[Item]:
    return _sep(items, lambda e: [("e", e, OPEN, True, indent)])


def _stmts(stmts: Any, indent: int) -> list[Item]:
    return _sep(stmts, lambda s: [("t", s, indent)])


def _pairs(pairs: Any, arrow: str, indent: int) -> list[Item]:
    return _sep(pairs, lambda p: [("e", p[0], OPEN, True, indent), ("s", arrow),
                                  ("e", p[1], OPEN, True, indent)])


def _comp(items: list[Item], stmts: Any, indent: int) -> list[Item]:
    if not stmts:
        return items
    return [*items, ("s", " | "), *_stmts(stmts, indent)]


def _expand_exp(e: ast.Exp, level: int, right_edge: bool, indent: int) -> list[Item]:
    own = exp_level(e)
    needs_parens = (not right_edge) if own == OPEN else own < level
    if needs_parens:
        return [("s", "("), ("e", e, OPEN, True, indent), ("s", ")")]
    handler = _EXP_HANDLERS.get(type(e))
    if handler is None:
        raise TypeError(f"cannot print {type(e).__name__}")
    return handler(e, right_edge, indent)


def _binary(left: Any, op: str, right: Any, own: int, right_edge: bool, indent: int,
            nonassoc: bool = False) -> list[Item]:
    return [("e", left, own + 1 if nonassoc else own, False, indent), ("s", op),
            ("e", right, own + 1, right_edge, indent)]


def _h_var(e: ast.Var, r: bool, i: int) -> list[Item]:
    return [("s", e.name)]


def _h_int(e: ast.IntLit, r: bool, i: int) -> list[Item]:
    return [("s", str(e.value))]


def _h_bool(e: ast.BoolLit, r: bool, i: int) -> list[Item]:
    return [("s", "true" if e.value else "false")]


def _h_char(e: ast.CharLit, r: bool, i: int) -> list[Item]:
    return [("s", _quote(e.value, "'"))]


def _h_string(e: ast.StringLit, r: bool, i: int) -> list[Item]:
    return [("s", _quote(e.value, '"'))]


def _h_app(e: ast.App, r: bool, i: int) -> list[Item]:
    return [("e", e.func, APP, False, i), ("s", "("), *_exps(e.args, i), ("s", ")")]


def _h_unary(e: ast.UnaryOp, r: bool, i: int) -> list[Item]:
    own = exp_level(e)
    op = "not " if e.op is ast.UnOp.NOT else e.op.value
    return [("s", op), ("e", e.operand, own, r, i)]


def _h_binary(e: ast.BinaryOp, r: bool, i: int) -> list[Item]:
    own = _BINOP_LEVEL[e.op]
    op = "^" if e.op is ast.BinOp.CONCAT else f" {e.op.value} "
    return _binary(e.left, op, e.right, own, r, i, own in _NONASSOC)


def _h_dot(e: ast.DotExp, r: bool, i: int) -> list[Item]:
    out: list[Item] = []
    last = len(e.items) - 1
    for k, item in enumerate(e.items):
        if k:
            out.append(("s", "."))
        out.append(("e", item, OR, r and k == last, i))
    return out


def _h_if(e: ast.If, r: bool, i: int) -> list[Item]:
    return [("s", "if "), ("e", e.cond, OPEN, True, i), ("s", " then "),
            ("e", e.then_branch, OPEN, True, i), ("s", " else "),
            ("e", e.else_branch, OPEN, r, i)]


def _h_let(e: ast.Let, r: bool, i: int) -> list[Item]:
    out: list[Item] = [("s", "let")]
    for d in e.decls:
        out += [("n", i + 4), ("d", d, i + 4)]
    return [*out, ("n", i + 2), ("s", "within "), ("e", e.body, OPEN, r, i)]


def _h_lambda(e: ast.Lambda, r: bool, i: int) -> list[Item]:
    params = _sep(e.params, lambda p: [("p", p, OPEN)])
    return [("s", "\\ "), *params, ("s", " @ "), ("e", e.body, OPEN, r, i)]


def _h_tuple(e: ast.TupleExp, r: bool, i: int) -> list[Item]:
    return [("s", "("), *_exps(e.items, i), ("s", ")")]


def _h_seq(e: ast.SeqExp, r: bool, i: int) -> list[Item]:
    if not e.items:
        return [("s", "<>")]
    return [("s", "<"), *_exps(e.items, i), ("s", ">")]


def _range(low: ast.Exp, high: ast.Exp | None, i: int) -> list[Item]:
    out: list[Item] = [("e", low, OPEN, True, i), ("s", "..")]
    if high is not None:
        out.append(("e", high, OPEN, True, i))
    return out


def _h_seq_range(e: ast.SeqRange, r: bool, i: int) -> list[Item]:
    return [("s", "<"), *_range(e.low, e.high, i), ("s", ">")]


def _h_seq_comp(e: ast.SeqComp, r: bool, i: int) -> list[Item]:
    return [("s", "<"), *_comp(_exps(e.items, i), e.stmts, i), ("s", ">")]


def _h_seq_range_comp(e: ast.SeqRangeComp, r: bool, i: int) -> list[Item]:
    return [("s", "<"), *_comp(_range(e.low, e.high, i), e.stmts, i), ("s", ">")]


def _h_set(e: ast.SetExp, r: bool, i: int) -> list[Item]:
    return [("s", "{"), *_exps(e.items, i), ("s", "}")]


def _h_set_range(e: ast.SetRange, r: bool, i: int) -> list[Item]:
    return [("s", "{"), *_range(e.low, e.high, i), ("s", "}")]


def _h_set_comp(e: ast.SetComp, r: bool, i: int) -> list[Item]:
    return [("s", "{"), *_comp(_exps(e.items, i), e.stmts, i), ("s", "}")]


def _h_set_range_comp(e: ast.SetRangeComp, r: bool, i: int) -> list[Item]:
    return [("s", "{"), *_comp(_range(e.low, e.high, i), e.stmts, i), ("s", "}")]


def _h_enum(e: ast.EnumSet, r: bool, i: int) -> list[Item]:
    return [("s", "{| "), *_exps(e.items, i), ("s", " |}")]


def _h_enum_comp(e: ast.EnumSetComp, r: bool, i: int) -> list[Item]:
    return [("s", "{| "), *_comp(_exps(e.items, i), e.stmts, i), ("s", " |}")]


def _h_map(e: ast.MapExp, r: bool, i: int) -> list[Item]:
    if not e.pairs:
        return [("s", "(| |)")]
    return [("s", "(| "), *_pairs(e.pairs, " => ", i), ("s", " |)")]


def _h_prefix(e: ast.Prefix, r: bool, i: int) -> list[Item]:
    out: list[Item] = [("e", e.event, DOT, False, i)]
    out.extend(("f", f, i) for f in e.fields)
    return [*out, ("s", " -> "), ("e", e.body, PREFIX, r, i)]


def _h_guard(e: ast.Guard, r: bool, i: int) -> list[Item]:
    return [("e", e.cond, DOT, False, i), ("s", " & "), ("e", e.body, PREFIX, r, i)]


def _h_proc_binary(e: ast.ProcBinary, r: bool, i: int) -> list[Item]:
    own = _PROCOP_LEVEL[e.op]
    op = "; " if e.op is ast.ProcOp.SEQ else f" {e.op.value} "
    return _binary(e.left, op, e.right, own, r, i)


def _h_hide(e: ast.Hide, r: bool, i: int) -> list[Item]:
    return _binary(e.proc, " \\ ", e.events, HIDE, r, i)


def _h_project(e: ast.Project, r: bool, i: int) -> list[Item]:
    return _binary(e.proc, " |\\ ", e.events, HIDE, r, i)


def _around(left: ast.Exp, opening: list[Item], right: ast.Exp, own: int, r: bool, i: int,
            nonassoc: bool) -> list[Item]:
    return [("e", left, own + 1 if nonassoc else own, False, i), *opening,
            ("e", right, own + 1, r, i)]


def _h_gen_par(e: ast.GenPar, r: bool, i: int) -> list[Item]:
    sync = [("s", " [| "), ("e", e.sync, OPEN, True, i), ("s", " |] ")]
    return _around(e.left, sync, e.right, PAR, r, i, True)


def _h_alpha_par(e: ast.AlphaPar, r: bool, i: int) -> list[Item]:
    alphas = [("s", " ["), ("e", e.left_alpha, OPEN, True, i), ("s", " || "),
              ("e", e.right_alpha, OPEN, True, i), ("s", "] ")]
    return _around(e.left, alphas, e.right, PAR, r, i, True)


def _h_exception(e: ast.ExceptionOp, r: bool, i: int) -> list[Item]:
    events = [("s", " [| "), ("e", e.events, OPEN, True, i), ("s", " |> ")]
    return _around(e.left, events, e.right, PAR, r, i, True)


def _h_link_par(e: ast.LinkPar, r: bool, i: int) -> list[Item]:
    ties = [("s", " ["), *_comp(_pairs(e.ties, " <-> ", i), e.stmts, i), ("s", "] ")]
    return _around(e.left, ties, e.right, PAR, r, i, True)


def _h_sync_ext(e: ast.SyncExtChoice, r: bool, i: int) -> list[Item]:
    events = [("s", " [+ "), ("e", e.events, OPEN, True, i), ("s", " +] ")]
    return _around(e.left, events, e.right, EXTCHOICE, r, i, False)


def _h_sync_int(e: ast.SyncInterrupt, r: bool, i: int) -> list[Item]:
    events = [("s", " /+ "), ("e", e.events, OPEN, True, i), ("s", " +\\ ")]
    return _around(e.left, events, e.right, INTERRUPT, r, i, False)


def _h_rename(e: ast.Rename, r: bool, i: int) -> list[Item]:
    pairs = _comp(_pairs(e.pairs, " <- ", i), e.stmts, i)
    return [("e", e.proc, APP, False, i), ("s", "[["), *pairs, ("s", "]]")]


def _h_replicated(e: ast.Replicated, r: bool, i: int) -> list[Item]:
    return [("s", e.op.value + " "), *_stmts(e.stmts, i), ("s", " @ "),
            ("e", e.body, OPEN, r, i)]


def _h_rep_alpha(e: ast.RepAlphaPar, r: bool, i: int) -> list[Item]:
    return [("s", "|| "), *_stmts(e.stmts, i), ("s", " @ ["),
            ("e", e.alphabet, OPEN, True, i), ("s", "] "), ("e", e.body, OPEN, r, i)]


def _h_rep_gen(e: ast.RepGenPar, r: bool, i: int) -> list[Item]:
    return [("s", "[| "), ("e", e.sync, OPEN, True, i), ("s", " |] "), *_stmts(e.stmts, i),
            ("s", " @ "), ("e", e.body, OPEN, r, i)]


def _h_rep_link(e: ast.RepLinkPar, r: bool, i: int) -> list[Item]:
    ties = _comp(_pairs(e.ties, " <-> ", i), e.tie_stmts, i)
    return [("s", "["), *ties, ("s", "] "), *_stmts(e.stmts, i), ("s", " @ "),
            ("e", e.body, OPEN, r, i)]


def _h_rep_sync_ext(e: ast.RepSyncExtChoice, r: bool, i: int) -> list[Item]:
    return [("s", "[+ "), ("e", e.events, OPEN, True, i), ("s", " +] "), *_stmts(e.stmts, i),
            ("s", " @ "), ("e", e.body, OPEN, r, i)]


_EXP_HANDLERS: dict[type, Callable[[Any, bool, int], list[Item]]] = {
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


def _expand_field(f: ast.Field, indent: int) -> list[Item]:
    if isinstance(f, ast.Output):
        return [("s", "!"), ("e", f.value, DOT, False, indent)]
    assert isinstance(f, ast.Input | ast.NondetInput)
    mark = "?" if isinstance(f, ast.Input) else "$"
    out: list[Item] = [("s", mark), ("p", f.pattern, DOT)]
    if f.restriction is not None:
        out += [("s", ":"), ("e", f.restriction, OR, False, indent)]
    return out


def _expand_stmt(s: ast.Stmt, indent: int) -> list[Item]:
    if isinstance(s, ast.Generator):
        return [("p", s.pattern, OPEN), ("s", " <- "), ("e", s.source, OPEN, True, indent)]
    assert isinstance(s, ast.Qualifier)
    return [("e", s.cond, OPEN, True, indent)]


# --- declarations ------------------------------------------------------------------------------


def _names(idents: tuple[ast.Ident, ...]) -> str:
    return ", ".join(x.name for x in idents)


def _clauses(clauses: tuple[ast.DataClause, ...], indent: int) -> list[Item]:
    def one(c: ast.DataClause) -> list[Item]:
        if c.type_expr is None:
            return [("s", c.name)]
        return [("s", c.name + "."), ("e", c.type_expr, OPEN, True, indent)]

    return _sep(clauses, one, " | ")


def _assertion(a: ast.Assertion, indent: int) -> list[Item]:
    if isinstance(a, ast.Refinement):
        out: list[Item] = [("e", a.spec, OPEN, True, indent), ("s", f" [{a.model.value}= "),
                           ("e", a.impl, OPEN, True, indent)]
        tau = a.tau_priority
    elif isinstance(a, ast.PropertyCheck):
        model = f" [{a.model.value}]" if a.model is not None else ""
        out = [("e", a.process, OPEN, True, indent), ("s", f" :[{a.prop.value}{model}]")]
        tau = a.tau_priority
    else:
        assert isinstance(a, ast.HasTrace)
        model = f" [{a.model.value}]" if a.model is not None else ""
        return [("e", a.process, OPEN, True, indent), ("s", f" :[has trace{model}]: "),
                ("e", a.trace, OPEN, True, indent)]
    if tau is not None:
        out += [("s", " :[tau priority]: "), ("e", tau, OPEN, True, indent)]
    return out


def _expand_decl(d: ast.Decl, indent: int) -> list[Item]:
    if isinstance(d, ast.FunBind):
        out: list[Item] = []
        for k, clause in enumerate(d.clauses):
            if k:
                out.append(("n", indent))
            out.append(("s", d.name))
            for group in clause.params:
                out += [("s", "("), *_sep(group, lambda p: [("p", p, OPEN)]), ("s", ")")]
            out += [("s", " = "), ("e", clause.body, OPEN, True, indent)]
        return out
    if isinstance(d, ast.PatBind):
        return [("p", d.pattern, OPEN), ("s", " = "), ("e", d.body, OPEN, True, indent)]
    if isinstance(d, ast.ChannelDecl):
        head: list[Item] = [("s", "channel " + _names(d.names))]
        if d.type_expr is None:
            return head
        return [*head, ("s", " : "), ("e", d.type_expr, OPEN, True, indent)]
    if isinstance(d, ast.DataTypeDecl):
        return [("s", f"datatype {d.name} = "), *_clauses(d.clauses, indent)]
    if isinstance(d, ast.SubTypeDecl):
        return [("s", f"subtype {d.name} = "), *_clauses(d.clauses, indent)]
    if isinstance(d, ast.NameTypeDecl):
        return [("s", f"nametype {d.name} = "), ("e", d.type_expr, OPEN, True, indent)]
    if isinstance(d, ast.AssertDecl):
        return [("s", "assert not " if d.negated else "assert "),
                *_assertion(d.assertion, indent)]
    if isinstance(d, ast.TransparentDecl):
        return [("s", "transparent " + _names(d.names))]
    if isinstance(d, ast.ExternalDecl):
        return [("s", "external " + _names(d.names))]
    if isinstance(d, ast.IncludeDecl):
        return [("s", "include " + _quote(d.path, '"'))]
    raise TypeError(f"cannot print {type(d).__name__}")


_EXPANDERS: dict[str, Callable[..., list[Item]]] = {
    "e": _expand_exp,
    "p": _expand_pat,
    "d": _expand_decl,
    "f": _expand_field,
    "t": _expand_stmt,
}


def print_expr(e: ast.Exp) -> str:
    """CSPm text of an expression (one line unless it contains ``let``)."""
    return _Printer().run(("e", e, OPEN, True, 0))


def print_pattern(p: ast.Pat) -> str:
    """CSPm text of a pattern."""
    return _Printer().run(("p", p, OPEN))


def print_decl(d: ast.Decl) -> str:
    """CSPm text of one declaration (several lines for a multi-equation function)."""
    return _Printer().run(("d", d, 0))


def print_script(script: ast.Script) -> str:
    """CSPm text of a whole script: declarations separated by blank lines, final newline."""
    if not script.decls:
        return ""
    return "\n\n".join(print_decl(d) for d in script.decls) + "\n"
