"""OTTL's editors: the lowercase functions that change the item a statement runs on.

``set``, ``delete_key``, ``delete_matching_keys``, ``keep_keys``, ``keep_matching_keys``,
``limit``, ``truncate_all``, ``replace_pattern``, ``replace_all_patterns``, ``replace_match``,
``replace_all_matches``, ``merge_maps``, ``flatten`` and ``append``, with pkg/ottl's semantics
(see each function's pkg/ottl namesake). Map editors build the new map and store it through the
target path, so the owning span, resource or scope knows it changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cspotlp.ottl.functions import (
    BuildError,
    Getter,
    Param,
    glob_param,
    go_sprintf,
    regex_param,
    register,
    string_like,
    want_map,
    want_string,
)
from cspotlp.ottl.paths import Accessor, EvalError
from cspotlp.ottl.regex import replace_all
from cspotlp.ottl.values import deep_copy, type_name


def _map_of(target: Accessor, c: Any) -> dict[str, Any]:
    value = target.get(c)
    if isinstance(value, dict):
        return value
    raise EvalError(f"expected pcommon.Map but got {type_name(value)}")


def _store(target: Accessor, c: Any, value: Any) -> None:
    assert target.set is not None  # the compiler only binds settable paths to targets
    target.set(c, value)


@register("set", Param("target", "target"), Param("value", "getter"))
def _set(target: Accessor, value: Getter) -> Callable[[Any], None]:
    setter = target.set
    assert setter is not None
    from cspotlp.ottl.compiler import CONSTANTS

    if value in CONSTANTS and not isinstance(CONSTANTS[value], dict | list):
        const = CONSTANTS[value]
        if const is None:
            return lambda c: None
        return lambda c: setter(c, const)

    def run(c: Any) -> None:
        v = value(c)
        if v is None:  # pkg/ottl: no field takes nil, so set(x, nil) changes nothing
            return
        setter(c, deep_copy(v) if isinstance(v, dict | list) else v)

    return run


@register("delete_key", Param("target", "map_target"), Param("key", "lit_string"))
def _delete_key(target: Accessor, key: str) -> Callable[[Any], None]:
    def run(c: Any) -> None:
        m = _map_of(target, c)
        if key in m:
            _store(target, c, {k: v for k, v in m.items() if k != key})
    return run


@register("delete_matching_keys", Param("target", "map_target"), Param("pattern", "lit_string"))
def _delete_matching_keys(target: Accessor, pattern: str) -> Callable[[Any], None]:
    regex = regex_param(pattern, 1)

    def run(c: Any) -> None:
        m = _map_of(target, c)
        kept = {k: v for k, v in m.items() if regex.search(k) is None}
        if len(kept) != len(m):
            _store(target, c, kept)
    return run


@register("keep_keys", Param("target", "map_target"), Param("keys", "lit_strings"))
def _keep_keys(target: Accessor, keys: list[str]) -> Callable[[Any], None]:
    wanted = frozenset(keys)

    def run(c: Any) -> None:
        m = _map_of(target, c)
        kept = {k: v for k, v in m.items() if k in wanted}
        if len(kept) != len(m):
            _store(target, c, kept)
    return run


@register("keep_matching_keys", Param("target", "map_target"), Param("pattern", "lit_string"))
def _keep_matching_keys(target: Accessor, pattern: str) -> Callable[[Any], None]:
    regex = regex_param(pattern, 1)

    def run(c: Any) -> None:
        m = _map_of(target, c)
        kept = {k: v for k, v in m.items() if regex.search(k) is not None}
        if len(kept) != len(m):
            _store(target, c, kept)
    return run


@register("limit", Param("target", "map_target"), Param("limit", "lit_int"),
           Param("priorityKeys", "lit_strings"))
def _limit(target: Accessor, limit: int, priority_keys: list[str]) -> Callable[[Any], None]:
    if limit < 0:
        raise BuildError(f"invalid limit for limit function, {limit} cannot be negative", 1)
    if limit < len(priority_keys):
        raise BuildError(f"invalid limit for limit function, {limit} cannot be less than "
                         f"number of priority attributes {len(priority_keys)}", 1)
    priority = frozenset(priority_keys)

    def run(c: Any) -> None:
        m = _map_of(target, c)
        if len(m) <= limit:
            return
        count = sum(1 for k in priority if k in m)
        kept: dict[str, Any] = {}
        for k, v in m.items():  # priority keys stay; the others fill what is left, in order
            if k in priority:
                kept[k] = v
            elif count < limit:
                count += 1
                kept[k] = v
        _store(target, c, kept)
    return run


@register("truncate_all", Param("target", "map_target"), Param("limit", "lit_int"))
def _truncate_all(target: Accessor, limit: int) -> Callable[[Any], None]:
    if limit < 0:
        raise BuildError(f"invalid limit for truncate_all function, {limit} cannot be "
                         f"negative", 1)

    def run(c: Any) -> None:
        m = _map_of(target, c)
        changed = False
        out: dict[str, Any] = {}
        for k, v in m.items():
            if isinstance(v, str) and len(v) > limit and len(v.encode()) > limit:
                # Go truncates bytes; a multi-byte character cut in two is dropped whole
                v = v.encode()[:limit].decode("utf-8", "ignore")
                changed = True
            out[k] = v
        if changed:
            _store(target, c, out)
    return run


def _replacement_fn(function: Callable[[str], Any] | None, fmt: Getter | None, c: Any
                    ) -> Callable[[str], str] | None:
    if function is None:
        return None
    fmt_text = want_string(fmt(c)) if fmt is not None else None

    def transform(piece: str) -> str:
        hashed = function(piece)
        text = hashed if isinstance(hashed, str) else string_like(hashed) or ""
        return go_sprintf(fmt_text, [text]) if fmt_text is not None else text
    return transform


@register("replace_pattern", Param("target", "target"), Param("regex", "lit_string"),
           Param("replacement", "string"), Param("function", "function", True),
           Param("replacementFormat", "string", True))
def _replace_pattern(target: Accessor, regex: str, replacement: Getter,
                     function: Callable[[str], Any] | None, fmt: Getter | None
                     ) -> Callable[[Any], None]:
    compiled = regex_param(regex, 1)

    def run(c: Any) -> None:
        value = target.get(c)
        if not isinstance(value, str):
            return
        template = want_string(replacement(c))
        if compiled.search(value) is None:
            return
        new = replace_all(compiled, value, template, _replacement_fn(function, fmt, c))
        if new != value:
            _store(target, c, new)
    return run


@register("replace_all_patterns", Param("target", "map_target"), Param("mode", "lit_string"),
           Param("regex", "lit_string"), Param("replacement", "string"),
           Param("function", "function", True), Param("replacementFormat", "string", True))
def _replace_all_patterns(target: Accessor, mode: str, regex: str, replacement: Getter,
                          function: Callable[[str], Any] | None, fmt: Getter | None
                          ) -> Callable[[Any], None]:
    if mode not in ("key", "value"):
        raise BuildError(f"invalid mode {mode}, must be either 'key' or 'value'", 1)
    compiled = regex_param(regex, 2)

    def run(c: Any) -> None:
        m = _map_of(target, c)
        template = want_string(replacement(c))
        transform = _replacement_fn(function, fmt, c)
        out: dict[str, Any] = {}
        changed = False
        for k, v in m.items():
            if mode == "value":
                if isinstance(v, str) and compiled.search(v) is not None:
                    v = replace_all(compiled, v, template, transform)
                    changed = True
                out[k] = v
            elif compiled.search(k) is not None:
                out[replace_all(compiled, k, template, transform)] = v
                changed = True
            else:
                out[k] = v
        if changed:
            _store(target, c, out)
    return run


@register("replace_match", Param("target", "target"), Param("pattern", "lit_string"),
           Param("replacement", "string"), Param("function", "function", True),
           Param("replacementFormat", "string", True))
def _replace_match(target: Accessor, pattern: str, replacement: Getter,
                   function: Callable[[str], Any] | None, fmt: Getter | None
                   ) -> Callable[[Any], None]:
    glob = glob_param(pattern, 1)

    def run(c: Any) -> None:
        value = target.get(c)
        if not isinstance(value, str) or glob.search(value) is None:
            return
        new = want_string(replacement(c))
        transform = _replacement_fn(function, fmt, c)
        _store(target, c, transform(new) if transform is not None else new)
    return run


@register("replace_all_matches", Param("target", "map_target"), Param("pattern", "lit_string"),
           Param("replacement", "string"), Param("function", "function", True),
           Param("replacementFormat", "string", True))
def _replace_all_matches(target: Accessor, pattern: str, replacement: Getter,
                         function: Callable[[str], Any] | None, fmt: Getter | None
                         ) -> Callable[[Any], None]:
    glob = glob_param(pattern, 1)

    def run(c: Any) -> None:
        m = _map_of(target, c)
        hits = [k for k, v in m.items() if isinstance(v, str) and glob.search(v) is not None]
        if not hits:
            return
        new = want_string(replacement(c))
        transform = _replacement_fn(function, fmt, c)
        if transform is not None:
            new = transform(new)
        out = dict(m)
        for k in hits:
            out[k] = new
        _store(target, c, out)
    return run


@register("merge_maps", Param("target", "map_target"), Param("source", "map"),
           Param("strategy", "lit_string"))
def _merge_maps(target: Accessor, source: Getter, strategy: str) -> Callable[[Any], None]:
    if strategy not in ("insert", "update", "upsert"):
        raise BuildError(f"invalid value for strategy, {strategy}, must be 'insert', 'update' "
                         f"or 'upsert'", 2)

    def run(c: Any) -> None:
        src = want_map(source(c))
        m = _map_of(target, c)
        out = dict(m)
        for k, v in src.items():
            present = k in out
            if strategy == "upsert" or (strategy == "insert") != present:
                out[k] = deep_copy(v)
        _store(target, c, out)
    return run


@register("flatten", Param("target", "map_target"), Param("prefix", "lit_string", True),
           Param("depth", "lit_int", True), Param("resolveConflicts", "lit_bool", True))
def _flatten(target: Accessor, prefix: str | None, depth: int | None,
             resolve_conflicts: bool | None) -> Callable[[Any], None]:
    if depth is not None and depth < 1:
        raise BuildError(f"invalid depth '{depth}' for flatten function, must be greater "
                         f"than 0", 2)
    max_depth = depth if depth is not None else (1 << 62)

    def run(c: Any) -> None:
        m = _map_of(target, c)
        _store(target, c, flatten_map(m, prefix or "", max_depth, bool(resolve_conflicts)))
    return run


def flatten_map(m: dict[str, Any], prefix: str, max_depth: int, resolve: bool
                ) -> dict[str, Any]:
    """pkg/ottl's flatten: nested maps and lists become dotted keys, in pkg/ottl's order.

    Lists are flattened with their indexes (``a.0``); with ``resolve``, list items keep the
    list's key and a key met again gets a ``.0``, ``.1``, ... suffix instead of overwriting.
    pkg/ottl recurses; an explicit stack of iterators visits the entries in the same order.
    """
    result: dict[str, Any] = {}
    seen: dict[str, int] = {}

    def put(key: str, value: Any) -> None:
        if resolve:
            if key in result:
                key, seen[key] = f"{key}.{seen[key]}", seen[key] + 1
            else:
                seen[key] = 0
        result[key] = deep_copy(value)

    def entries(mapping: dict[str, Any], depth: int, pre: str) -> Any:
        return iter([("value", k, v, depth, pre) for k, v in mapping.items()])

    stack = [entries(m, 0, prefix + "." if prefix else "")]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        if entry[0] == "value":
            _, k, v, depth, pre = entry
            if isinstance(v, dict) and depth < max_depth:
                stack.append(entries(v, depth + 1, pre + k + "."))
            elif isinstance(v, list) and depth < max_depth:
                stack.append(iter([("item", pre + k, i, x, depth) for i, x in enumerate(v)]))
            else:
                put(pre + k, v)
            continue
        _, base, i, item, depth = entry
        if isinstance(item, dict) and depth + 1 < max_depth:
            stack.append(entries(item, depth + 2, f"{base}.{i}."))
        elif isinstance(item, list) and depth + 1 < max_depth:
            # pkg/ottl's flattenSlice: the items' keys follow the prefix without a dot
            stack.append(iter([("value", str(j), x, depth + 3, f"{base}.{i}")
                               for j, x in enumerate(item)]))
        elif resolve:
            put(base, item)
        else:
            put(f"{base}.{i}", item)
    return result


@register("append", Param("target", "target"), Param("value", "getter", True),
           Param("values", "getters", True))
def _append(target: Accessor, value: Getter | None, values: list[Getter] | None
            ) -> Callable[[Any], None]:
    if value is None and values is None:
        raise BuildError("at least one of the optional arguments ('value' or 'values') must "
                         "be provided")

    def run(c: Any) -> None:
        extra: list[Any] = []
        if value is not None:
            extra.append(value(c))
        if values is not None:
            extra.extend(g(c) for g in values)
        current = target.get(c)
        if current is None:
            out: list[Any] = []
        elif isinstance(current, list):
            out = list(current)
        else:
            out = [current]
        out.extend(deep_copy(x) for x in extra if x is not None)
        _store(target, c, out)
    return run



__all__ = ["flatten_map"]
