"""Hypothesis strategies for CSPm syntax trees (any shape the parser can produce).

The trees are syntactic only (names need not be in scope, types need not agree): they exercise
the printer and the parser. Shapes the parser never builds are avoided: a dotted item is never
itself dotted, integer literals are non-negative (``-1`` is a negation), and two neighbouring
function equations never share a name (they would merge into one function).
"""

from __future__ import annotations

from hypothesis import strategies as st

from cspotlp.cspm import ast

NAMES = ["a", "b", "c", "x", "y", "P", "Q", "STOP", "f", "g", "A'", "ch_2", "Round'"]

names = st.sampled_from(NAMES)
small_ints = st.integers(min_value=0, max_value=99)
texts = st.text(
    alphabet=st.sampled_from(list("ab cZ09_-'\"\\{}<>|\t\n")), max_size=6
)
chars = st.sampled_from(list("aZ0 '\"\\\t\n{-<>|"))


def _tuple_of(s: st.SearchStrategy, lo: int, hi: int) -> st.SearchStrategy:
    return st.lists(s, min_size=lo, max_size=hi).map(tuple)


def _separate_functions(decls: tuple[ast.Decl, ...]) -> tuple[ast.Decl, ...]:
    """Drop a function equation group that would merge with the previous one."""
    out: list[ast.Decl] = []
    for d in decls:
        prev = out[-1] if out else None
        if isinstance(d, ast.FunBind) and isinstance(prev, ast.FunBind) and prev.name == d.name:
            continue
        out.append(d)
    return tuple(out)



# --- patterns ------------------------------------------------------------------------------------

pattern_leaves = st.one_of(
    names.map(ast.PVar),
    st.just(ast.PWild()),
    st.integers(min_value=-50, max_value=50).map(ast.PInt),
    st.booleans().map(ast.PBool),
    chars.map(ast.PChar),
    texts.map(ast.PString),
)


def _pattern_nodes(inner: st.SearchStrategy) -> st.SearchStrategy:
    not_dot = inner.filter(lambda p: not isinstance(p, ast.PDot))
    return st.one_of(
        _tuple_of(inner, 2, 3).map(ast.PTuple),
        _tuple_of(not_dot, 2, 3).map(ast.PDot),
        _tuple_of(inner, 0, 3).map(ast.PSeq),
        st.builds(ast.PConcat, inner, inner),
        _tuple_of(inner, 0, 1).map(ast.PSet),
        st.builds(ast.PDouble, inner, inner),
    )


patterns = st.recursive(pattern_leaves, _pattern_nodes, max_leaves=6)


# --- expressions ---------------------------------------------------------------------------------

exp_leaves = st.one_of(
    names.map(ast.Var),
    small_ints.map(ast.IntLit),
    st.booleans().map(ast.BoolLit),
    chars.map(ast.CharLit),
    texts.map(ast.StringLit),
)


def _stmts(inner: st.SearchStrategy, lo: int = 1) -> st.SearchStrategy:
    stmt = st.one_of(st.builds(ast.Generator, patterns, inner), inner.map(ast.Qualifier))
    return _tuple_of(stmt, lo, 2)


def _pairs(inner: st.SearchStrategy, lo: int = 1) -> st.SearchStrategy:
    return _tuple_of(st.tuples(inner, inner), lo, 2)


def _fields(inner: st.SearchStrategy) -> st.SearchStrategy:
    maybe = st.none() | inner
    field = st.one_of(
        inner.map(ast.Output),
        st.builds(ast.Input, patterns, maybe),
        st.builds(ast.NondetInput, patterns, maybe),
    )
    return _tuple_of(field, 0, 3)


def _let_decls(inner: st.SearchStrategy) -> st.SearchStrategy:
    return _tuple_of(st.one_of(
        st.builds(ast.PatBind, patterns, inner),
        st.builds(lambda n, ps, b: ast.FunBind(n, (ast.Clause(ps, b),)),
                  names, _tuple_of(_tuple_of(patterns, 0, 2), 1, 2), inner),
    ), 1, 2).map(_separate_functions)


def _exp_nodes(inner: st.SearchStrategy) -> st.SearchStrategy:
    not_dot = inner.filter(lambda e: not isinstance(e, ast.DotExp))
    maybe = st.none() | inner
    return st.one_of(
        st.builds(ast.App, inner, _tuple_of(inner, 0, 3)),
        st.builds(ast.UnaryOp, st.sampled_from(list(ast.UnOp)), inner),
        st.builds(ast.BinaryOp, st.sampled_from(list(ast.BinOp)), inner, inner),
        _tuple_of(not_dot, 2, 3).map(ast.DotExp),
        st.builds(ast.If, inner, inner, inner),
        st.builds(ast.Let, _let_decls(inner), inner),
        st.builds(ast.Lambda, _tuple_of(patterns, 1, 2), inner),
        _tuple_of(inner, 2, 3).map(ast.TupleExp),
        _tuple_of(inner, 0, 3).map(ast.SeqExp),
        st.builds(ast.SeqRange, inner, maybe),
        st.builds(ast.SeqComp, _tuple_of(inner, 1, 2), _stmts(inner)),
        st.builds(ast.SeqRangeComp, inner, maybe, _stmts(inner)),
        _tuple_of(inner, 0, 3).map(ast.SetExp),
        st.builds(ast.SetRange, inner, maybe),
        st.builds(ast.SetComp, _tuple_of(inner, 1, 2), _stmts(inner)),
        st.builds(ast.SetRangeComp, inner, maybe, _stmts(inner)),
        _tuple_of(inner, 1, 3).map(ast.EnumSet),
        st.builds(ast.EnumSetComp, _tuple_of(inner, 1, 2), _stmts(inner)),
        _pairs(inner, 0).map(ast.MapExp),
        st.builds(ast.Prefix, inner, _fields(inner), inner),
        st.builds(ast.Guard, inner, inner),
        st.builds(ast.ProcBinary, st.sampled_from(list(ast.ProcOp)), inner, inner),
        st.builds(ast.Hide, inner, inner),
        st.builds(ast.Project, inner, inner),
        st.builds(ast.GenPar, inner, inner, inner),
        st.builds(ast.AlphaPar, inner, inner, inner, inner),
        st.builds(ast.ExceptionOp, inner, inner, inner),
        st.builds(ast.LinkPar, inner, _pairs(inner), _stmts(inner, 0), inner),
        st.builds(ast.SyncExtChoice, inner, inner, inner),
        st.builds(ast.SyncInterrupt, inner, inner, inner),
        st.builds(ast.Rename, inner, _pairs(inner), _stmts(inner, 0)),
        st.builds(ast.Replicated, st.sampled_from(list(ast.RepOp)), _stmts(inner), inner),
        st.builds(ast.RepAlphaPar, _stmts(inner), inner, inner),
        st.builds(ast.RepGenPar, inner, _stmts(inner), inner),
        st.builds(ast.RepLinkPar, _pairs(inner), _stmts(inner, 0), _stmts(inner), inner),
        st.builds(ast.RepSyncExtChoice, inner, _stmts(inner), inner),
    )


expressions = st.recursive(exp_leaves, _exp_nodes, max_leaves=12)


# --- declarations and scripts --------------------------------------------------------------------

idents = _tuple_of(names.map(ast.Ident), 1, 3)
data_clauses = _tuple_of(st.builds(ast.DataClause, names, st.none() | expressions), 1, 3)
models = st.sampled_from(list(ast.Model))
assertions = st.one_of(
    st.builds(ast.Refinement, expressions, models, expressions, st.none() | expressions),
    st.builds(ast.PropertyCheck, expressions, st.sampled_from(list(ast.Property)),
              st.none() | models, st.none() | expressions),
    st.builds(ast.HasTrace, expressions, st.none() | models, expressions),
)
function_decls = st.builds(
    lambda n, clauses: ast.FunBind(n, tuple(clauses)),
    names,
    st.lists(st.builds(ast.Clause, _tuple_of(_tuple_of(patterns, 0, 2), 1, 2), expressions),
             min_size=1, max_size=2),
)
declarations = st.one_of(
    function_decls,
    st.builds(ast.PatBind, patterns, expressions),
    st.builds(ast.ChannelDecl, idents, st.none() | expressions),
    st.builds(ast.DataTypeDecl, names, data_clauses),
    st.builds(ast.SubTypeDecl, names, data_clauses),
    st.builds(ast.NameTypeDecl, names, expressions),
    st.builds(ast.AssertDecl, assertions, st.booleans()),
    idents.map(ast.TransparentDecl),
    idents.map(ast.ExternalDecl),
    st.sampled_from(["lib.csp", 'a "b".csp', "dir/x.csp"]).map(ast.IncludeDecl),
)


scripts = _tuple_of(declarations, 0, 4).map(_separate_functions).map(ast.Script)


# -- well-typed texts (for evaluation, not only parsing) -----------------------------------

_int_leaves = st.one_of(st.sampled_from(["n", "m"]), st.integers(0, 9).map(str))


def _int_nodes(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "%"]), inner)
        .map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        inner.map(lambda x: f"-({x})"),
        st.tuples(bool_expression_texts_of(inner), inner, inner)
        .map(lambda t: f"(if {t[0]} then {t[1]} else {t[2]})"),
        inner.map(lambda x: f"#<({x}), 1>"),
    )


def bool_expression_texts_of(ints: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Boolean CSPm expressions (as text) comparing the integer expressions ``ints``."""
    comparison = st.tuples(ints, st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), ints) \
        .map(lambda t: f"({t[0]} {t[1]} {t[2]})")
    return st.one_of(
        comparison,
        st.tuples(comparison, st.sampled_from(["and", "or"]), comparison)
        .map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        comparison.map(lambda c: f"not {c}"),
    )


int_expression_texts = st.recursive(_int_leaves, _int_nodes, max_leaves=8)
"""Integer CSPm expressions (as text) over the integer variables ``n`` and ``m``; evaluating one
may divide by zero."""
bool_expression_texts = bool_expression_texts_of(int_expression_texts)
"""Boolean CSPm expressions (as text) over ``n`` and ``m``."""
