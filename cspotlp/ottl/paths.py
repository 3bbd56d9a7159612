"""Paths: what ``name``, ``attributes["k"]``, ``resource.attributes["k"]`` mean in each context.

OTTL statements run in a *context* — ``resource``, ``scope``, ``span`` or ``spanevent`` — and
a path names a field of the context's item or of an enclosing one (pkg/ottl's ottlresource,
ottlscope, ottlspan and ottlspanevent). A path may start with a context name
(``span.name``, ``resource.attributes["k"]``, ``instrumentation_scope.name``); otherwise it
names a field of the statement's own context. :data:`FIELDS` lists every field per context.

:func:`resolve_path` turns a path into an :class:`Accessor`: a getter and (when the field can
be written) a setter, both closures over the statement's context object. Keys index maps and
lists (``attributes["a"]["b"][0]``) with the rules of pkg/ottl's ctxutil: a missing map key
reads as nil, a list index out of range is an error, setting through a missing key creates the
map.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cspotlp.ottl.syntax import Literal
from cspotlp.ottl.values import Duration, SpanId, Timestamp, TraceId, type_name

Getter = Callable[[Any], Any]
Setter = Callable[[Any, Any], None]

CONTEXTS = ("resource", "scope", "span", "spanevent")
"""The trace contexts, outermost first."""

CONTEXT_ALIASES = {"resource": "resource", "scope": "scope", "instrumentation_scope": "scope",
                   "span": "span", "spanevent": "spanevent"}
"""Path prefixes that name a context (pkg/ottl accepts both scope spellings)."""

# how to reach an enclosing item from the context object of each context
_HOPS: dict[str, dict[str, Callable[[Any], Any] | None]] = {
    "resource": {"resource": None},
    "scope": {"scope": None, "resource": lambda c: c.resource},
    "span": {"span": None, "resource": lambda c: c.resource, "scope": lambda c: c.scope},
    "spanevent": {"spanevent": None, "span": lambda c: c.span,
                  "resource": lambda c: c.span.resource, "scope": lambda c: c.span.scope},
}

SPAN_KIND_TEXT = ("Unspecified", "Internal", "Server", "Client", "Producer", "Consumer")
SPAN_KIND_ENUMS = ("SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER",
                   "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER")
STATUS_CODE_ENUMS = ("STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR")
ENUMS: dict[str, int] = {**{n: i for i, n in enumerate(SPAN_KIND_ENUMS)},
                         **{n: i for i, n in enumerate(STATUS_CODE_ENUMS)}}
"""The enum symbols of the trace contexts and their int64 values."""


class PathError(Exception):
    """A path that does not exist, or is used in a way its field does not allow."""


class EvalError(Exception):
    """A statement failed on one item (a bad index, a value of the wrong type)."""


@dataclass(frozen=True)
class Accessor:
    """A resolved path: read with ``get(ctx)``, write with ``set(ctx, value)`` (None: read-only)."""

    get: Getter
    set: Setter | None
    text: str
    is_map: bool
    """The path names a whole map (``attributes``, ``cache``), as map editors need."""


@dataclass(frozen=True)
class _Field:
    get: Getter
    set: Setter | None
    sub: dict[str, _Field] | None = None
    map_valued: bool = False
    keyed: Callable[[Sequence[Any]], tuple[Getter, Setter]] | None = None
    """For fields indexed by other means than maps (trace_state["k"])."""


# -- field tables -------------------------------------------------------------------------


def _plain(attr: str, kind: type | tuple[type, ...], convert: Callable[[Any], Any] | None = None
           ) -> _Field:
    """A field stored as ``attr`` on the state, written only with values of type ``kind``."""
    def get(o: Any) -> Any:
        value = getattr(o, attr)
        return convert(value) if convert is not None else value

    def set_(o: Any, v: Any) -> None:
        # pkg/ottl leaves a field alone when handed a value of another type
        if isinstance(v, kind) and not (isinstance(v, bool) and kind is int):
            setattr(o, attr, v)
            o.dirty = True

    return _Field(get, set_)


def _int_field(attr: str) -> _Field:
    return _plain(attr, int)


def _str_field(attr: str) -> _Field:
    return _plain(attr, str)


def _time_field(attr: str) -> _Field:
    def get(o: Any) -> Timestamp:
        return Timestamp(getattr(o, attr))

    def set_(o: Any, v: Any) -> None:
        if isinstance(v, Timestamp):
            setattr(o, attr, v.ns)
            o.dirty = True

    return _Field(get, set_)


def _map_field() -> _Field:
    def get(o: Any) -> dict[str, Any]:
        return o.attrs()  # type: ignore[no-any-return]

    def set_(o: Any, v: Any) -> None:
        if isinstance(v, dict):
            o._attrs = v  # setters store what they get: writers hand over values of their own
            o.dirty = True

    return _Field(get, set_, map_valued=True)


def _cache_field() -> _Field:
    def get(o: Any) -> dict[str, Any]:
        if o.cache is None:
            o.cache = {}
        return o.cache  # type: ignore[no-any-return]

    def set_(o: Any, v: Any) -> None:
        if isinstance(v, dict):
            o.cache = v

    return _Field(get, set_, map_valued=True)


def _id_field(attr: str, cls: type[TraceId] | type[SpanId]) -> _Field:
    digits = cls.WIDTH * 2

    def get(o: Any) -> TraceId | SpanId:
        return cls(getattr(o, attr))

    def set_(o: Any, v: Any) -> None:
        if isinstance(v, cls):
            setattr(o, attr, v.hex)
            o.dirty = True

    def get_str(o: Any) -> str:
        value: str = getattr(o, attr)
        return value if value else "0" * digits

    def set_str(o: Any, v: Any) -> None:
        if not isinstance(v, str):
            return
        text = v.lower()
        if len(text) != digits or any(c not in "0123456789abcdef" for c in text):
            raise EvalError(f"{attr} must be {digits} hex digits, not {v!r}")
        setattr(o, attr, "" if text == "0" * digits else text)
        o.dirty = True

    return _Field(get, set_, sub={"string": _Field(get_str, set_str)})


def _kind_field() -> _Field:
    base = _int_field("kind")

    def get_text(o: Any) -> str:
        k = o.kind
        return SPAN_KIND_TEXT[k] if 0 <= k < len(SPAN_KIND_TEXT) else "Unspecified"

    def set_text(o: Any, v: Any) -> None:
        if isinstance(v, str) and v in SPAN_KIND_TEXT:
            o.kind, o.dirty = SPAN_KIND_TEXT.index(v), True

    def get_enum(o: Any) -> str:
        k = o.kind
        return SPAN_KIND_ENUMS[k] if 0 <= k < len(SPAN_KIND_ENUMS) else SPAN_KIND_ENUMS[0]

    def set_enum(o: Any, v: Any) -> None:
        if isinstance(v, str) and v in SPAN_KIND_ENUMS:
            o.kind, o.dirty = SPAN_KIND_ENUMS.index(v), True

    return _Field(base.get, base.set, sub={"string": _Field(get_text, set_text),
                                           "deprecated_string": _Field(get_enum, set_enum)})


def _trace_state_field() -> _Field:
    base = _str_field("trace_state")

    def keyed(keys: Sequence[Any]) -> tuple[Getter, Setter]:
        (key_get,) = keys

        def get(c_and_o: Any) -> Any:
            c, o = c_and_o
            key = key_get(c)
            for member in o.trace_state.split(","):
                k, sep, v = member.strip().partition("=")
                if sep and k == key:
                    return v
            return None

        def set_(c_and_o: Any, v: Any) -> None:
            c, o = c_and_o
            key = key_get(c)
            if not isinstance(v, str) or not isinstance(key, str):
                return
            members = [m.strip() for m in o.trace_state.split(",") if m.strip()]
            kept = [m for m in members if m.partition("=")[0] != key]
            o.trace_state = ",".join([f"{key}={v}", *kept])  # W3C: an update moves to the front
            o.dirty = True

        return get, set_

    return _Field(base.get, base.set, keyed=keyed)


def _read_only(get: Getter) -> _Field:
    return _Field(get, None)


_COMMON = {"cache": _cache_field(), "attributes": _map_field(),
           "dropped_attributes_count": _int_field("dropped_attributes_count")}

FIELDS: dict[str, dict[str, _Field]] = {
    "resource": {**_COMMON, "schema_url": _str_field("schema_url")},
    "scope": {**_COMMON, "name": _str_field("name"), "version": _str_field("version"),
              "schema_url": _str_field("schema_url")},
    "span": {
        **_COMMON,
        "trace_id": _id_field("trace_id", TraceId),
        "span_id": _id_field("span_id", SpanId),
        "parent_span_id": _id_field("parent_span_id", SpanId),
        "trace_state": _trace_state_field(),
        "name": _str_field("name"),
        "kind": _kind_field(),
        "start_time_unix_nano": _int_field("start_time_unix_nano"),
        "end_time_unix_nano": _int_field("end_time_unix_nano"),
        "start_time": _time_field("start_time_unix_nano"),
        "end_time": _time_field("end_time_unix_nano"),
        "flags": _int_field("flags"),
        "dropped_events_count": _int_field("dropped_events_count"),
        "dropped_links_count": _int_field("dropped_links_count"),
        "events": _read_only(lambda o: o.orig.events),
        "links": _read_only(lambda o: o.orig.links),
        "status": _Field(lambda o: {"code": o.status_code, "message": o.status_message}, None,
                         sub={"code": _int_field("status_code"),
                              "message": _str_field("status_message")}),
    },
    "spanevent": {
        **_COMMON,
        "name": _str_field("name"),
        "time_unix_nano": _int_field("time_unix_nano"),
        "time": _time_field("time_unix_nano"),
        "event_index": _read_only(lambda o: o.index),
    },
}
"""Every field of each context, as pkg/ottl's context packages define them."""


# -- indexing maps and lists (pkg/ottl ctxutil) ----------------------------------------------


def index_value(value: Any, keys: Sequence[Any]) -> Any:
    """``value[k1][k2]...``: maps take string keys, lists int keys; a missing map key is nil.

    Raises:
        EvalError: a key of the wrong type, a list index out of range, or indexing a value
            that is neither map nor list.
    """
    for key in keys:
        if value is None:
            return None
        if isinstance(value, dict):
            if not isinstance(key, str):
                raise EvalError(f"unable to resolve a string index in map: invalid key type "
                                f"{type_name(key)}")
            value = value.get(key)
        elif isinstance(value, list):
            if isinstance(key, bool) or not isinstance(key, int):
                raise EvalError(f"unable to resolve an integer index in slice: could not "
                                f"resolve key for map/slice, expecting 'int64' but got "
                                f"'{type_name(key)}'")
            if not 0 <= key < len(value):
                raise EvalError(f"index {key} out of bounds")
            value = value[key]
        else:
            raise EvalError(f"type {type_name(value)} does not support "
                            f"{'string' if isinstance(key, str) else 'integer'} indexing")
    return value


def storable(value: Any) -> bool:
    """Whether a map can hold ``value`` (pdata keeps no times, durations or ids in maps)."""
    return not isinstance(value, Timestamp | Duration | TraceId | SpanId)


def set_indexed(root: dict[str, Any], keys: Sequence[Any], value: Any) -> None:
    """``root[k1][k2]... = value``, creating missing maps on the way (pkg/ottl's rules).

    Raises:
        EvalError: as :func:`index_value`.
    """
    if not storable(value):
        return
    cur: Any = root
    for pos, key in enumerate(keys):
        last = pos == len(keys) - 1
        if isinstance(cur, dict):
            if not isinstance(key, str):
                raise EvalError(f"unable to resolve a string index in map: invalid key type "
                                f"{type_name(key)}")
            if last:
                cur[key] = value
                return
            nxt = cur.get(key)
            if nxt is None:
                if isinstance(keys[pos + 1], str):
                    nxt = cur[key] = {}
                else:
                    raise EvalError(f"cannot index a missing value {key!r} with an integer")
            cur = nxt
        elif isinstance(cur, list):
            if isinstance(key, bool) or not isinstance(key, int):
                raise EvalError(f"unable to resolve an integer index in slice: could not "
                                f"resolve key for map/slice, expecting 'int64' but got "
                                f"'{type_name(key)}'")
            if not 0 <= key < len(cur):
                raise EvalError(f"index {key} out of bounds")
            if last:
                cur[key] = value
                return
            cur = cur[key]
        else:
            raise EvalError(f"type {type_name(cur)} does not support "
                            f"{'string' if isinstance(key, str) else 'integer'} indexing")


# -- resolving ------------------------------------------------------------------------------


def split_context(path_fields: Sequence[Any], context: str) -> tuple[str, int]:
    """(the context a path reaches into, how many leading fields name it) in ``context``."""
    first = path_fields[0]
    target = CONTEXT_ALIASES.get(first.name)
    if target is not None and len(path_fields) > 1 and not first.keys \
            and target in _HOPS[context]:
        return target, 1
    if target is not None and target not in _HOPS[context] and len(path_fields) > 1:
        raise PathError(f"the {context} context cannot reach {target} paths "
                        f"({first.name}.{path_fields[1].name}); run the statement in the "
                        f"{target} context")
    return context, 0


def resolve_path(path_fields: Sequence[Any], context: str,
                 compile_key: Callable[[Any], Getter]) -> Accessor:
    """The accessor of a path (a sequence of :class:`cspotlp.ottl.syntax.Field`) in ``context``.

    ``compile_key`` compiles a key expression into a getter over the context object.

    Raises:
        PathError: unknown field, keys where the field takes none, a context out of reach.
    """
    target, skip = split_context(path_fields, context)
    hop = _HOPS[context][target]
    fields = list(path_fields[skip:])
    table = FIELDS[target]
    text = ".".join(f.name for f in path_fields)
    head = fields[0]
    spec = table.get(head.name)
    if spec is None:
        raise PathError(f"segment \"{head.name}\" from path \"{text}\" is not a valid path nor "
                        f"a valid OTTL keyword for the {target} context; known: "
                        f"{', '.join(sorted(table))}")
    for f in fields[1:]:
        if spec.sub is None or f.name not in spec.sub:
            known = f"; known: {', '.join(sorted(spec.sub))}" if spec.sub else ""
            raise PathError(f"path \"{text}\": {head.name} has no field \"{f.name}\"{known}")
        if spec.keyed is not None or spec.map_valued:
            raise PathError(f"path \"{text}\": keys must come last")
        spec = spec.sub[f.name]
    last = fields[-1]
    key_getters = [compile_key(k) for k in last.keys]
    for f in fields[:-1]:
        if f.keys:
            raise PathError(f"path \"{text}\": {f.name} cannot be indexed")
    base_get, base_set = spec.get, spec.set
    if key_getters and spec.keyed is not None:
        if len(key_getters) != 1:
            raise PathError(f"path \"{text}\" takes exactly one key")
        kget, kset = spec.keyed(key_getters)
        get = _with_hop_pair(kget, hop)
        set_ = _with_hop_pair_set(kset, hop)
        return Accessor(get, set_, text, False)
    if key_getters and not spec.map_valued:
        raise PathError(f"path \"{text}\": {last.name} is not a map and cannot be indexed")
    if not key_getters:
        if spec.sub is not None and spec.set is None and len(fields) == 1 \
                and head.name == "status":
            return Accessor(_with_hop(base_get, hop), None, text, False)
        return Accessor(_with_hop(base_get, hop), _with_hop_set(base_set, hop), text,
                        spec.map_valued)
    owner_dirty = spec is not table.get("cache")
    key_nodes = last.keys
    if hop is None and len(key_nodes) == 1 and isinstance(key_nodes[0], Literal) \
            and isinstance(key_nodes[0].value, str):
        return _literal_key_accessor(base_get, key_nodes[0].value, text, owner_dirty)
    return _keyed_accessor(base_get, hop, key_getters, text, owner_dirty)


_FAST_STORABLE = frozenset((str, int, float, bool, bytes, dict, list))


def _literal_key_accessor(base_get: Getter, key: str, text: str, owner_dirty: bool) -> Accessor:
    """``attributes["k"]`` in the statement's own context: the most common path, kept short."""
    def get(c: Any) -> Any:
        return base_get(c).get(key)

    if owner_dirty:
        def set_(c: Any, v: Any) -> None:
            if type(v) in _FAST_STORABLE or storable(v):
                base_get(c)[key] = v
                c.dirty = True
    else:
        def set_(c: Any, v: Any) -> None:
            if type(v) in _FAST_STORABLE or storable(v):
                base_get(c)[key] = v

    return Accessor(get, set_, text, False)


def _with_hop(get: Getter, hop: Callable[[Any], Any] | None) -> Getter:
    if hop is None:
        return get
    return lambda c: get(hop(c))


def _with_hop_set(set_: Setter | None, hop: Callable[[Any], Any] | None) -> Setter | None:
    if set_ is None or hop is None:
        return set_
    inner = set_
    return lambda c, v: inner(hop(c), v)


def _with_hop_pair(get: Getter, hop: Callable[[Any], Any] | None) -> Getter:
    if hop is None:
        return lambda c: get((c, c))
    return lambda c: get((c, hop(c)))


def _with_hop_pair_set(set_: Setter, hop: Callable[[Any], Any] | None) -> Setter:
    if hop is None:
        return lambda c, v: set_((c, c), v)
    return lambda c, v: set_((c, hop(c)), v)


def _keyed_accessor(base_get: Getter, hop: Callable[[Any], Any] | None,
                    key_getters: list[Getter], text: str, owner_dirty: bool) -> Accessor:
    """The accessor of ``map_field[k1]...`` (fast paths for one literal-free key)."""
    obj_of = hop if hop is not None else (lambda c: c)
    if len(key_getters) == 1:
        (k1,) = key_getters

        def get1(c: Any) -> Any:
            key = k1(c)
            if not isinstance(key, str):
                raise EvalError(f"unable to resolve a string index in map: invalid key type "
                                f"{type_name(key)}")
            return base_get(obj_of(c)).get(key)

        def set1(c: Any, v: Any) -> None:
            key = k1(c)
            if not isinstance(key, str):
                raise EvalError(f"unable to resolve a string index in map: invalid key type "
                                f"{type_name(key)}")
            if not storable(v):
                return
            o = obj_of(c)
            base_get(o)[key] = v
            if owner_dirty:
                o.dirty = True

        return Accessor(get1, set1, text, False)

    def get(c: Any) -> Any:
        keys = [k(c) for k in key_getters]
        if not isinstance(keys[0], str):
            raise EvalError(f"unable to resolve a string index in map: invalid key type "
                            f"{type_name(keys[0])}")
        return index_value(base_get(obj_of(c)), keys)

    def set_(c: Any, v: Any) -> None:
        keys = [k(c) for k in key_getters]
        o = obj_of(c)
        set_indexed(base_get(o), keys, v)
        if owner_dirty:
            o.dirty = True

    return Accessor(get, set_, text, False)


def statement_context(path_fields_list: Sequence[Sequence[Any]]) -> str | None:
    """The innermost context the paths name (pkg/ottl's context inference), or None."""
    named = [CONTEXT_ALIASES[fs[0].name] for fs in path_fields_list
             if fs and fs[0].name in CONTEXT_ALIASES and len(fs) > 1]
    if not named:
        return None
    return max(named, key=CONTEXTS.index)


__all__ = [
    "CONTEXTS", "CONTEXT_ALIASES", "ENUMS", "FIELDS", "SPAN_KIND_ENUMS", "SPAN_KIND_TEXT",
    "STATUS_CODE_ENUMS", "Accessor", "EvalError", "PathError", "index_value", "resolve_path",
    "set_indexed", "split_context", "statement_context", "storable",
]
