"""Turn lark parse trees into :mod:`cspotlp.cspm.ast` nodes (one method per grammar alias).

Runs as a :class:`lark.visitors.Transformer_NonRecursive`, so deep trees are fine. Patterns
arrive as expressions and are converted here by :func:`to_pattern`; the expression-only forms
``_`` and ``p @@ q`` that remain outside pattern positions are rejected by
:func:`reject_pattern_only`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lark import Token
from lark.visitors import Transformer_NonRecursive

from cspotlp.cspm import ast
from cspotlp.cspm.ast import Span
from cspotlp.cspm.traverse import walk
from cspotlp.errors import CspmSyntaxError, SourceLocation


@dataclass(frozen=True, eq=False, slots=True)
class WildcardExp(ast.Exp):
    """``_`` read where an expression or a pattern may stand (parsing only)."""


@dataclass(frozen=True, eq=False, slots=True)
class DoublePatExp(ast.Exp):
    """``p @@ q`` read where an expression or a pattern may stand (parsing only)."""

    left: ast.Exp
    right: ast.Exp


@dataclass(frozen=True, eq=False, slots=True)
class ParenType(ast.SType):
    """``(t)`` in a type annotation (parsing only: ``(a) -> b`` needs it, ``a -> b`` is wrong)."""

    inner: ast.SType


@dataclass(frozen=True, eq=False, slots=True)
class UnitType(ast.SType):
    """``()`` in a type annotation, valid only as the arguments of a function type."""


@dataclass(frozen=True, slots=True)
class Items:
    """A list produced by a list rule (``exps``, ``stmts``...) with its span."""

    values: tuple[Any, ...]
    span: Span


_BINOPS = {
    "OR": ast.BinOp.OR, "AND": ast.BinOp.AND, "EQEQ": ast.BinOp.EQ, "NEQ": ast.BinOp.NE,
    "LT": ast.BinOp.LT, "GT": ast.BinOp.GT, "LE": ast.BinOp.LE, "GE": ast.BinOp.GE,
    "PLUS": ast.BinOp.PLUS, "MINUS": ast.BinOp.MINUS, "TIMES": ast.BinOp.TIMES,
    "DIV": ast.BinOp.DIV, "MOD": ast.BinOp.MOD, "CONCAT": ast.BinOp.CONCAT,
}
_UNOPS = {"NOT": ast.UnOp.NOT, "MINUS": ast.UnOp.NEG, "HASH": ast.UnOp.LEN}
_PROCOPS = {
    "EXTCHOICE": ast.ProcOp.EXT_CHOICE, "INTCHOICE": ast.ProcOp.INT_CHOICE,
    "SEMI": ast.ProcOp.SEQ, "INTERLEAVE": ast.ProcOp.INTERLEAVE,
    "INTERRUPT": ast.ProcOp.INTERRUPT, "SLIDING": ast.ProcOp.SLIDING,
}
_REPOPS = {
    "EXTCHOICE": ast.RepOp.EXT_CHOICE, "INTCHOICE": ast.RepOp.INT_CHOICE,
    "INTERLEAVE": ast.RepOp.INTERLEAVE, "SEMI": ast.RepOp.SEQ,
}
_PROPERTIES = {
    "deadlock free": ast.Property.DEADLOCK_FREE,
    "livelock free": ast.Property.DIVERGENCE_FREE,
    "divergence free": ast.Property.DIVERGENCE_FREE,
    "deterministic": ast.Property.DETERMINISTIC,
}
_LET_DECLS = (ast.FunBind, ast.PatBind, ast.TransparentDecl, ast.ExternalDecl,
              ast.TypeAnnotation)
"""What a ``let`` may declare (also inside a ``Timed`` section in it)."""
_DECL_WORDS = {
    ast.ChannelDecl: "a channel declaration",
    ast.DataTypeDecl: "a datatype declaration",
    ast.SubTypeDecl: "a subtype declaration",
    ast.NameTypeDecl: "a nametype declaration",
    ast.AssertDecl: "an assertion",
    ast.IncludeDecl: "an include",
    ast.ModuleDecl: "a module",
    ast.PrintDecl: "a print statement",
    ast.InstanceDecl: "a module instance",
    ast.TimedSection: "a timed section",
}
_TYPE_CLASSES = frozenset({"Eq", "Ord", "Complete", "Set", "Yieldable"})
_HIDING_SPLITS = (ast.ProcBinary, ast.GenPar, ast.AlphaPar, ast.ExceptionOp, ast.SyncExtChoice,
                  ast.SyncInterrupt)
"""Operators ``op`` such that ``P \\ A op Q`` means ``(P \\ A) op Q`` (libcspm's rule)."""


def _model(text: str) -> ast.Model | None:
    return ast.Model(text) if text else None


class Builder(Transformer_NonRecursive[Token, Any]):
    """Callbacks of the grammar's aliases, run by the LALR parser as it reduces.

    The builder holds no state: spans take their file from the tokens
    (:class:`~cspotlp.cspm.lexer.SourceToken`), and its errors carry no source line (the
    parser adds it), so one builder serves every parse.
    """

    # --- spans and errors --------------------------------------------------------------------

    def span_of(self, item: Any) -> Span:
        """The span of a token, node or list."""
        if isinstance(item, Token):
            return Span(getattr(item, "file", "<input>"), item.line or 0, item.column or 0,
                        item.end_line or 0, item.end_column or 0)
        span = item.span
        assert isinstance(span, Span)
        return span

    def cover(self, items: Sequence[Any]) -> Span:
        """The span from the first item's start to the last one's end."""
        first, last = self.span_of(items[0]), self.span_of(items[-1])
        return Span(first.file, first.line, first.column, last.end_line, last.end_column)

    def error(self, message: str, span: Span) -> CspmSyntaxError:
        """A syntax error at ``span`` (the parser adds the source line)."""
        return CspmSyntaxError(message, SourceLocation(span.file, span.line, span.column))

    def pattern(self, exp: ast.Exp) -> ast.Pat:
        """``exp`` read as a pattern."""
        return to_pattern(exp, self)

    # --- script and declarations -------------------------------------------------------------

    def start(self, c: list[Any]) -> tuple[ast.Decl, ...]:
        return c[0] if c else ()

    def decls(self, c: list[Any]) -> tuple[ast.Decl, ...]:
        decls = combine_clauses(c)
        check_annotations(decls, self)
        return decls

    def binding(self, c: list[Any]) -> ast.Decl:
        lhs, rhs = c[0], c[2]
        span = self.cover(c)
        groups: list[tuple[ast.Pat, ...]] = []
        head = lhs
        while isinstance(head, ast.App):
            groups.append(tuple(self.pattern(a) for a in head.args))
            head = head.func
        if groups:
            if not isinstance(head, ast.Var):
                raise self.error("the left-hand side of a function definition must be a name "
                                 "applied to patterns", lhs.span)
            clause = ast.Clause(tuple(reversed(groups)), rhs, span=span)
            return ast.FunBind(head.name, (clause,), span=span)
        return ast.PatBind(self.pattern(lhs), rhs, span=span)

    def names(self, c: list[Any]) -> Items:
        idents = tuple(ast.Ident(str(t), span=self.span_of(t)) for t in c if t.type == "NAME")
        return Items(idents, self.cover(c))

    def channel_decl(self, c: list[Any]) -> ast.ChannelDecl:
        return ast.ChannelDecl(c[1].values, c[3] if len(c) > 2 else None, span=self.cover(c))

    def data_clause(self, c: list[Any]) -> ast.DataClause:
        return ast.DataClause(str(c[0]), c[2] if len(c) > 1 else None, span=self.cover(c))

    def data_clauses(self, c: list[Any]) -> Items:
        return Items(tuple(x for x in c if isinstance(x, ast.DataClause)), self.cover(c))

    def datatype_decl(self, c: list[Any]) -> ast.DataTypeDecl:
        return ast.DataTypeDecl(str(c[1]), c[3].values, span=self.cover(c))

    def subtype_decl(self, c: list[Any]) -> ast.SubTypeDecl:
        return ast.SubTypeDecl(str(c[1]), c[3].values, span=self.cover(c))

    def nametype_decl(self, c: list[Any]) -> ast.NameTypeDecl:
        return ast.NameTypeDecl(str(c[1]), c[3], span=self.cover(c))

    def assert_decl(self, c: list[Any]) -> ast.AssertDecl:
        return ast.AssertDecl(c[-1], len(c) == 3, span=self.cover(c))

    def refinement(self, c: list[Any]) -> ast.Refinement:
        tau, por = self._options(c[3] if len(c) > 3 else None)
        return ast.Refinement(c[0], ast.Model(str(c[1])), c[2], tau, por, span=self.cover(c))

    def property_check(self, c: list[Any]) -> ast.PropertyCheck:
        name, model = str(c[1]).split("|")
        tau, por = self._options(c[2] if len(c) > 2 else None)
        return ast.PropertyCheck(c[0], _PROPERTIES[name], _model(model), tau, por,
                                 span=self.cover(c))

    def has_trace(self, c: list[Any]) -> ast.HasTrace:
        tau, por = self._options(c[3] if len(c) > 3 else None)
        return ast.HasTrace(c[0], _model(str(c[1])), c[2], tau, por, span=self.cover(c))

    def options(self, c: list[Any]) -> Items:
        return Items(tuple(c), self.cover(c))

    def option(self, c: list[Any]) -> Items:
        return Items(tuple(c), self.cover(c))

    def _options(self, options: Items | None) -> tuple[ast.Exp | None, str | None]:
        """The ``:[tau priority]:`` set and ``:[partial order reduce]`` mode (each at most once)."""
        tau: ast.Exp | None = None
        por: str | None = None
        for option in options.values if options is not None else ():
            head: Token = option.values[0]
            if (tau if head.type == "TAU_PRIORITY" else por) is not None:
                raise self.error("an assertion option is given twice", option.span)
            if head.type == "TAU_PRIORITY":
                tau = option.values[1]
            else:
                por = str(head.value)
        return tau, por

    def transparent_decl(self, c: list[Any]) -> ast.TransparentDecl:
        return ast.TransparentDecl(c[1].values, span=self.cover(c))

    def external_decl(self, c: list[Any]) -> ast.ExternalDecl:
        return ast.ExternalDecl(c[1].values, span=self.cover(c))

    def include_decl(self, c: list[Any]) -> ast.IncludeDecl:
        return ast.IncludeDecl(str(c[0]), span=self.cover(c))

    def print_decl(self, c: list[Any]) -> ast.PrintDecl:
        return ast.PrintDecl(str(c[0]), span=self.cover(c))

    def module_decl(self, c: list[Any]) -> ast.ModuleDecl:
        body: Items = c[-1]
        params = None
        if len(c) > 3:
            params = tuple(self.pattern(p) for p in c[3].values)
        private, exports = body.values
        for d in (*private, *exports):
            self._allowed_in_module(d)
        return ast.ModuleDecl(str(c[1]), params, private, exports, span=self.cover(c))

    def _allowed_in_module(self, d: ast.Decl) -> None:
        stack = [d]
        while stack:
            cur = stack.pop()
            if isinstance(cur, ast.AssertDecl | ast.PrintDecl):
                what = _DECL_WORDS[type(cur)]
                raise self.error(f"{what} is not allowed inside a module", cur.span)
            if isinstance(cur, ast.TimedSection):
                stack.extend(cur.decls)

    def module_body(self, c: list[Any]) -> Items:
        private: tuple[ast.Decl, ...] = c[0].values if isinstance(c[0], Items) else ()
        exports: Items = c[-1]
        return Items((private, exports.values), self.cover(c))

    def module_private(self, c: list[Any]) -> Items:
        return Items(self.decls(c), self.cover(c))

    def module_exports(self, c: list[Any]) -> Items:
        return Items(self.decls(c), self.span_of(c[-1]))

    def instance_decl(self, c: list[Any]) -> ast.InstanceDecl:
        args = c[5].values if len(c) > 4 else None
        return ast.InstanceDecl(str(c[1]), str(c[3]), args, span=self.cover(c))

    def timed_section(self, c: list[Any]) -> ast.TimedSection:
        function = c[2] if isinstance(c[1], Token) and c[1].type == "LPAR" else None
        decls: tuple[ast.Decl, ...] = next((x for x in c if isinstance(x, tuple)), ())
        for d in decls:
            if isinstance(d, ast.PrintDecl):
                raise self.error("a print statement is not allowed inside a timed section",
                                 d.span)
        return ast.TimedSection(function, decls, span=self.cover(c))

    # --- type annotations ---------------------------------------------------------------------

    def type_annotation(self, c: list[Any]) -> ast.TypeAnnotation:
        return ast.TypeAnnotation(c[0].values, c[2], span=self.cover(c))

    def type_scheme(self, c: list[Any]) -> ast.TypeScheme:
        constraints = tuple(x for x in c if isinstance(x, ast.TypeConstraint))
        return ast.TypeScheme(constraints, self.stype(c[-1]), span=self.cover(c))

    def type_constraint(self, c: list[Any]) -> ast.TypeConstraint:
        name = str(c[0])
        if name not in _TYPE_CLASSES:
            raise self.error(f"unknown type class '{name}' (the classes are "
                             f"{', '.join(sorted(_TYPE_CLASSES))})", self.span_of(c[0]))
        return ast.TypeConstraint(name, str(c[1]), span=self.cover(c))

    def stype(self, t: ast.SType) -> ast.SType:
        """A type written where any type may stand (parentheses dropped, ``()`` refused)."""
        while isinstance(t, ParenType):
            t = t.inner
        if isinstance(t, UnitType):
            raise self.error("'()' is only a type as the arguments of a function type "
                             "'() -> T'", t.span)
        return t

    def st_function(self, c: list[Any]) -> ast.STFunction:
        head = c[0]
        if isinstance(head, UnitType):
            args: tuple[ast.SType, ...] = ()
        elif isinstance(head, ParenType):
            args = (self.stype(head.inner),)
        elif isinstance(head, ast.STTuple):
            args = head.items
        else:
            raise self.error("the arguments of a function type must be in parentheses: "
                             "(a) -> b", head.span)
        return ast.STFunction(args, self.stype(c[2]), span=self.cover(c))

    def st_dotable(self, c: list[Any]) -> ast.STDotable:
        return ast.STDotable(self.stype(c[0]), self.stype(c[2]), span=self.cover(c))

    def st_extendable(self, c: list[Any]) -> ast.STExtendable:
        return ast.STExtendable(str(c[0]), self.stype(c[2]), span=self.cover(c))

    def st_dot(self, c: list[Any]) -> ast.STDot:
        left, right = self.stype(c[0]), self.stype(c[2])
        items = (left,) + (right.items if isinstance(right, ast.STDot) else (right,))
        return ast.STDot(items, span=self.cover(c))

    def st_name(self, c: list[Any]) -> ast.STName:
        return ast.STName(str(c[0]), span=self.span_of(c[0]))

    def st_set(self, c: list[Any]) -> ast.STSet:
        return ast.STSet(self.stype(c[1]), span=self.cover(c))

    def st_seq(self, c: list[Any]) -> ast.STSeq:
        return ast.STSeq(self.stype(c[1]), span=self.cover(c))

    def st_unit(self, c: list[Any]) -> UnitType:
        return UnitType(span=self.cover(c))

    def st_paren(self, c: list[Any]) -> ParenType:
        return ParenType(c[1], span=self.cover(c))

    def st_tuple(self, c: list[Any]) -> ast.STTuple:
        items = tuple(self.stype(x) for x in c if isinstance(x, ast.SType))
        return ast.STTuple(items, span=self.cover(c))

    def st_map(self, c: list[Any]) -> ast.STMap:
        return ast.STMap(self.stype(c[1]), self.stype(c[3]), span=self.cover(c))

    # --- open forms ----------------------------------------------------------------------------

    def let_exp(self, c: list[Any]) -> ast.Let:
        decls: tuple[ast.Decl, ...] = c[1]
        stack = list(decls)
        while stack:
            d = stack.pop()
            if isinstance(d, ast.TimedSection):
                stack.extend(d.decls)
            elif not isinstance(d, _LET_DECLS):
                what = _DECL_WORDS.get(type(d), "this declaration")
                raise self.error(f"{what} is not allowed inside 'let ... within'", d.span)
        return ast.Let(decls, c[3], span=self.cover(c))

    def if_exp(self, c: list[Any]) -> ast.If:
        return ast.If(c[1], c[3], c[5], span=self.cover(c))

    def lambda_exp(self, c: list[Any]) -> ast.Lambda:
        params = tuple(self.pattern(p) for p in c[1].values)
        return ast.Lambda(params, c[3], span=self.cover(c))

    def replicated(self, c: list[Any]) -> ast.Replicated:
        return ast.Replicated(_REPOPS[c[0].type], c[1].values, c[3], span=self.cover(c))

    def rep_alpha_par(self, c: list[Any]) -> ast.RepAlphaPar:
        return ast.RepAlphaPar(c[1].values, c[4], c[6], span=self.cover(c))

    def rep_gen_par(self, c: list[Any]) -> ast.RepGenPar:
        return ast.RepGenPar(c[1], c[3].values, c[5], span=self.cover(c))

    def rep_sync_ext_choice(self, c: list[Any]) -> ast.RepSyncExtChoice:
        return ast.RepSyncExtChoice(c[1], c[3].values, c[5], span=self.cover(c))

    def rep_link_par(self, c: list[Any]) -> ast.RepLinkPar:
        ties = pairs(c[1])
        tie_stmts = c[3].values if c[2].type == "PIPE" else ()
        stmts, body = c[-3].values, c[-1]
        return ast.RepLinkPar(ties, tie_stmts, stmts, body, span=self.cover(c))

    def double_pattern(self, c: list[Any]) -> DoublePatExp:
        return DoublePatExp(c[0], c[2], span=self.cover(c))

    # --- process operators ---------------------------------------------------------------------

    def hide_exp(self, c: list[Any]) -> ast.Exp:
        return self._hiding(ast.Hide, c[0], c[2])

    def project_exp(self, c: list[Any]) -> ast.Exp:
        return self._hiding(ast.Project, c[0], c[2])

    def _hiding(self, make: type[ast.Hide] | type[ast.Project], proc: ast.Exp,
                events: ast.Exp) -> ast.Exp:
        r"""``P \ A op Q`` reads as ``(P \ A) op Q``, as in libcspm (and so FDR).

        The grammar makes the hidden set swallow the rest (``P \ (A op Q)``); the left
        operands of the process operators along the set's left spine are taken back out.
        """
        spine: list[ast.Exp] = []
        cur = events
        while isinstance(cur, _HIDING_SPLITS) and not _parenthesised(cur):
            spine.append(cur)
            cur = cur.left
        built: ast.Exp = make(proc, cur, span=self.cover([proc, cur]))
        for node in reversed(spine):
            span = self.cover([proc, node])
            built = dataclasses.replace(node, left=built, span=span)  # type: ignore[call-arg]
        return built

    def proc_binary(self, c: list[Any]) -> ast.ProcBinary:
        return ast.ProcBinary(_PROCOPS[c[1].type], c[0], c[2], span=self.cover(c))

    def gen_par(self, c: list[Any]) -> ast.GenPar:
        return ast.GenPar(c[0], c[2], c[4], span=self.cover(c))

    def exception_exp(self, c: list[Any]) -> ast.ExceptionOp:
        return ast.ExceptionOp(c[0], c[2], c[4], span=self.cover(c))

    def alpha_par(self, c: list[Any]) -> ast.AlphaPar:
        return ast.AlphaPar(c[0], c[2], c[4], c[6], span=self.cover(c))

    def link_par(self, c: list[Any]) -> ast.LinkPar:
        stmts = c[4].values if len(c) > 5 else ()
        return ast.LinkPar(c[0], pairs(c[2]), stmts, c[-1], span=self.cover(c))

    def sync_ext_choice(self, c: list[Any]) -> ast.SyncExtChoice:
        return ast.SyncExtChoice(c[0], c[2], c[4], span=self.cover(c))

    def sync_interrupt(self, c: list[Any]) -> ast.SyncInterrupt:
        return ast.SyncInterrupt(c[0], c[2], c[4], span=self.cover(c))

    def prefix_exp(self, c: list[Any]) -> ast.Prefix:
        fields = c[1].values if len(c) == 4 else ()
        return ast.Prefix(c[0], fields, c[-1], span=self.cover(c))

    def guard_exp(self, c: list[Any]) -> ast.Guard:
        return ast.Guard(c[0], c[2], span=self.cover(c))

    def fields(self, c: list[Any]) -> Items:
        return Items(tuple(c), self.cover(c))

    def input_field(self, c: list[Any]) -> ast.Input:
        restriction = c[3] if len(c) > 2 else None
        return ast.Input(self.pattern(c[1]), restriction, span=self.cover(c))

    def nondet_field(self, c: list[Any]) -> ast.NondetInput:
        restriction = c[3] if len(c) > 2 else None
        return ast.NondetInput(self.pattern(c[1]), restriction, span=self.cover(c))

    def output_field(self, c: list[Any]) -> ast.Output:
        return ast.Output(c[1], span=self.cover(c))

    # --- value operators -----------------------------------------------------------------------

    def dot_exp(self, c: list[Any]) -> ast.DotExp:
        left, right = c[0], c[2]
        items = (left.items if isinstance(left, ast.DotExp) else (left,)) + (
            right.items if isinstance(right, ast.DotExp) else (right,)
        )
        return ast.DotExp(items, span=self.cover(c))

    def binary(self, c: list[Any]) -> ast.BinaryOp:
        return ast.BinaryOp(_BINOPS[c[1].type], c[0], c[2], span=self.cover(c))

    def unary(self, c: list[Any]) -> ast.UnaryOp:
        return ast.UnaryOp(_UNOPS[c[0].type], c[1], span=self.cover(c))

    def app_exp(self, c: list[Any]) -> ast.App:
        args = c[2].values if len(c) == 4 else ()
        return ast.App(c[0], args, span=self.cover(c))

    def rename_exp(self, c: list[Any]) -> ast.Rename:
        stmts = c[4].values if len(c) > 4 else ()
        return ast.Rename(c[0], pairs(c[2]), stmts, span=self.cover(c))

    # --- atoms ---------------------------------------------------------------------------------

    def var(self, c: list[Any]) -> ast.Var:
        return ast.Var(str(c[0]), span=self.span_of(c[0]))

    def int_lit(self, c: list[Any]) -> ast.IntLit:
        return ast.IntLit(int(c[0]), span=self.span_of(c[0]))

    def char_lit(self, c: list[Any]) -> ast.CharLit:
        return ast.CharLit(str(c[0]), span=self.span_of(c[0]))

    def string_lit(self, c: list[Any]) -> ast.StringLit:
        return ast.StringLit(str(c[0]), span=self.span_of(c[0]))

    def bool_lit(self, c: list[Any]) -> ast.BoolLit:
        return ast.BoolLit(c[0].type == "TRUE", span=self.span_of(c[0]))

    def wildcard(self, c: list[Any]) -> WildcardExp:
        return WildcardExp(span=self.span_of(c[0]))

    def paren(self, c: list[Any]) -> ast.Exp:
        inner: ast.Exp = c[1]
        if isinstance(inner, _HIDING_SPLITS):
            # Keep the parentheses in the span: '\\ (A [] B)' must not be split (_hiding).
            return dataclasses.replace(inner, span=self.cover(c))
        return inner

    def tuple_exp(self, c: list[Any]) -> ast.TupleExp:
        return ast.TupleExp((c[1],) + c[3].values, span=self.cover(c))

    def seq_exp(self, c: list[Any]) -> ast.SeqExp:
        items = c[1].values if len(c) == 3 else ()
        return ast.SeqExp(items, span=self.cover(c))

    def seq_comp(self, c: list[Any]) -> ast.SeqComp:
        return ast.SeqComp(c[1].values, c[3].values, span=self.cover(c))

    def seq_range(self, c: list[Any]) -> ast.SeqRange:
        return ast.SeqRange(c[1], c[3] if len(c) == 5 else None, span=self.cover(c))

    def seq_range_comp(self, c: list[Any]) -> ast.SeqRangeComp:
        high = c[3] if len(c) == 7 else None
        return ast.SeqRangeComp(c[1], high, c[-2].values, span=self.cover(c))

    def set_exp(self, c: list[Any]) -> ast.SetExp:
        items = c[1].values if len(c) == 3 else ()
        return ast.SetExp(items, span=self.cover(c))

    def set_comp(self, c: list[Any]) -> ast.SetComp:
        return ast.SetComp(c[1].values, c[3].values, span=self.cover(c))

    def set_range(self, c: list[Any]) -> ast.SetRange:
        return ast.SetRange(c[1], c[3] if len(c) == 5 else None, span=self.cover(c))

    def set_range_comp(self, c: list[Any]) -> ast.SetRangeComp:
        high = c[3] if len(c) == 7 else None
        return ast.SetRangeComp(c[1], high, c[-2].values, span=self.cover(c))

    def enum_set(self, c: list[Any]) -> ast.EnumSet:
        return ast.EnumSet(c[1].values, span=self.cover(c))

    def enum_set_comp(self, c: list[Any]) -> ast.EnumSetComp:
        return ast.EnumSetComp(c[1].values, c[3].values, span=self.cover(c))

    def map_exp(self, c: list[Any]) -> ast.MapExp:
        return ast.MapExp(pairs(c[1]) if len(c) == 3 else (), span=self.cover(c))

    # --- lists ---------------------------------------------------------------------------------

    def _list(self, c: list[Any]) -> Items:
        return Items(tuple(x for x in c if not isinstance(x, Token)), self.cover(c))

    exps = _list
    stmts = _list
    ties = _list
    renames = _list
    map_pairs = _list

    def _pair(self, c: list[Any]) -> Items:
        return Items((c[0], c[2]), self.cover(c))

    tie = _pair
    rename_pair = _pair
    map_pair = _pair

    def qualifier(self, c: list[Any]) -> ast.Qualifier:
        return ast.Qualifier(c[0], span=self.cover(c))

    def generator(self, c: list[Any]) -> ast.Generator:
        return ast.Generator(self.pattern(c[0]), c[2], span=self.cover(c))


def _parenthesised(e: ast.Exp) -> bool:
    """Whether a binary process operator was written in parentheses (its span starts early)."""
    left: ast.Node = e.left  # type: ignore[attr-defined]
    return (e.span.line, e.span.column) < (left.span.line, left.span.column)


def pairs(items: Items) -> tuple[tuple[ast.Exp, ast.Exp], ...]:
    """The plain pairs of a list of ``tie``, ``rename_pair`` or ``map_pair``."""
    return tuple((p.values[0], p.values[1]) for p in items.values)


def combine_clauses(decls: Sequence[Any]) -> tuple[ast.Decl, ...]:
    """Merge consecutive equations of the same function into one :class:`ast.FunBind`."""
    out: list[ast.Decl] = []
    for d in decls:
        if not isinstance(d, ast.Decl):
            continue
        prev = out[-1] if out else None
        if isinstance(d, ast.FunBind) and isinstance(prev, ast.FunBind) and prev.name == d.name:
            span = Span(prev.span.file, prev.span.line, prev.span.column,
                        d.span.end_line, d.span.end_column)
            out[-1] = ast.FunBind(prev.name, prev.clauses + d.clauses, span=span)
        else:
            out.append(d)
    return tuple(out)


def to_pattern(exp: ast.Exp, builder: Builder) -> ast.Pat:
    """Read an expression as a pattern, or raise a syntax error where it is not one."""
    results: list[ast.Pat] = []
    stack: list[tuple[ast.Exp, bool]] = [(exp, False)]
    while stack:
        node, built = stack.pop()
        if not built:
            if isinstance(node, ast.UnaryOp) and node.op is ast.UnOp.NEG and isinstance(
                node.operand, ast.IntLit
            ):
                results.append(ast.PInt(-node.operand.value, span=node.span))
                continue
            subs = _pattern_children(node)
            if subs is None:
                raise builder.error("this expression is not a valid pattern", node.span)
            stack.append((node, True))
            stack.extend((s, False) for s in reversed(subs))
            continue
        subs = _pattern_children(node)
        assert subs is not None
        n = len(subs)
        parts = results[len(results) - n :] if n else []
        del results[len(results) - n :]
        results.append(_make_pattern(node, parts, builder))
    return results[0]


def _pattern_children(node: ast.Exp) -> tuple[ast.Exp, ...] | None:
    if isinstance(node, ast.Var | WildcardExp | ast.IntLit | ast.BoolLit | ast.CharLit
                  | ast.StringLit):
        return ()
    if isinstance(node, ast.TupleExp | ast.DotExp | ast.SeqExp | ast.SetExp):
        return node.items
    if isinstance(node, ast.BinaryOp) and node.op is ast.BinOp.CONCAT:
        return (node.left, node.right)
    if isinstance(node, DoublePatExp):
        return (node.left, node.right)
    return None


def _make_pattern(node: ast.Exp, parts: list[ast.Pat], builder: Builder) -> ast.Pat:
    span = node.span
    if isinstance(node, ast.Var):
        return ast.PVar(node.name, span=span)
    if isinstance(node, WildcardExp):
        return ast.PWild(span=span)
    if isinstance(node, ast.IntLit):
        return ast.PInt(node.value, span=span)
    if isinstance(node, ast.BoolLit):
        return ast.PBool(node.value, span=span)
    if isinstance(node, ast.CharLit):
        return ast.PChar(node.value, span=span)
    if isinstance(node, ast.StringLit):
        return ast.PString(node.value, span=span)
    if isinstance(node, ast.TupleExp):
        return ast.PTuple(tuple(parts), span=span)
    if isinstance(node, ast.DotExp):
        return ast.PDot(tuple(parts), span=span)
    if isinstance(node, ast.SeqExp):
        return ast.PSeq(tuple(parts), span=span)
    if isinstance(node, ast.SetExp):
        if len(parts) > 1:
            raise builder.error("a set pattern matches the empty set or a singleton only", span)
        return ast.PSet(tuple(parts), span=span)
    if isinstance(node, ast.BinaryOp):
        return ast.PConcat(parts[0], parts[1], span=span)
    assert isinstance(node, DoublePatExp)
    return ast.PDouble(parts[0], parts[1], span=span)


def reject_pattern_only(root: ast.Node, builder: Builder) -> None:
    """Raise at the first ``_`` or ``@@`` left in an expression position."""
    for node in walk(root):
        if isinstance(node, WildcardExp):
            raise builder.error("'_' may only appear in a pattern", node.span)
        if isinstance(node, DoublePatExp):
            raise builder.error("'@@' may only appear in a pattern", node.span)



def _annotated_names(d: ast.Decl) -> list[str]:
    """The names a type annotation in the same list may describe."""
    if isinstance(d, ast.FunBind):
        return [d.name]
    if isinstance(d, ast.PatBind) and isinstance(d.pattern, ast.PVar):
        return [d.pattern.name]
    if isinstance(d, ast.NameTypeDecl):
        return [d.name]
    if isinstance(d, ast.ChannelDecl):
        return [x.name for x in d.names]
    if isinstance(d, ast.DataTypeDecl):
        return [x.name for x in d.clauses]
    return []


def check_annotations(decls: Sequence[ast.Decl], builder: Builder) -> None:
    """Libcspm's rules for ``name :: type`` within one list of declarations.

    Each name is annotated at most once, only where the list defines it (a function, a value,
    a nametype, a channel or a constructor), and one channel declaration gets one annotation.
    A list that still holds an ``include`` is checked once the file is inlined.
    """
    if any(isinstance(d, ast.IncludeDecl) for d in decls):
        return
    seen: dict[str, ast.Ident] = {}
    for d in decls:
        if isinstance(d, ast.TypeAnnotation):
            for ident in d.names:
                if ident.name in seen:
                    first = seen[ident.name].span
                    raise builder.error(f"'{ident.name}' has more than one type annotation "
                                        f"(first at {first})", ident.span)
                seen[ident.name] = ident
    if not seen:
        return
    defined: set[str] = set()
    for d in decls:
        names = _annotated_names(d)
        defined.update(names)
        if isinstance(d, ast.ChannelDecl) and sum(n in seen for n in names) > 1:
            raise builder.error("the channels of one declaration have several type "
                                "annotations: give them one", d.span)
    for name, ident in seen.items():
        if name not in defined:
            raise builder.error(f"the type annotation of '{name}' has no definition of "
                                f"'{name}' beside it", ident.span)
