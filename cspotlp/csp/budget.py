"""Budgets: every search ends, and says why when it ends early.

A :class:`Budget` bounds one check: the states each phase may store (compiling a component,
exploring a specification, the search itself), the resident memory of the process, and the
seconds since the check started. When a bound is reached the work stops with
:class:`~cspotlp.errors.LimitReached` (or a search returns its status ``limit``), and the check's
verdict is *inconclusive*, never passed.

By default the memory bound is half of the memory the machine has available when the budget is
made (``MemAvailable``, lowered by a container's or ``ulimit``'s bound), and the state bound is
what could possibly fit in it (:data:`BYTES_PER_STATE` each), so a search of an infinite-state
process ends within the machine's means. A sequential component, compiled term by term (much
slower and larger per state than the packed search), may have :data:`COMPONENT_STATES` states
by default; an explicit state limit applies to components and searches alike. Memory is the process's resident set, read between
batches of work; large allocations (hash tables, expansion batches, rule tables) are checked
against it *before* they are made.
"""

from __future__ import annotations

import math
import os
import re
import resource
import sys
import tempfile
import time
from dataclasses import dataclass

from cspotlp.csp.verdict import ProgressCallback, ProgressReport
from cspotlp.errors import CspError, LimitReached

DEFAULT_MEMORY_SHARE = 0.5
"""Share of the available memory a check may use by default."""

MIN_DEFAULT_MEMORY = 256 << 20
"""The default memory bound is never below this (a machine under pressure still checks small
models), unless less than that is available at all."""

BYTES_PER_STATE = 40
"""The least a stored state costs (packed word, parent, rule and its hash-table slots)."""

COMPONENT_STATES = 200_000
"""States a sequential component may have by default (an explicit state limit replaces it)."""

GROWTH_DEPTH = 1000
"""A component's term nested this many operators deeper than its start: the terms grow without bound."""

ENGINES = ("auto", "native", "numpy")
"""``auto``: the native engine when it is built and can run the search, else numpy (the reference)."""

MAX_WORKERS = 255
"""Most worker processes of one search (a state's owner is kept in one byte)."""

REPORT_EVERY = 0.5
"""Seconds between progress reports."""

RSS_EVERY = 0.05
"""Seconds a reading of the resident memory is reused between batches."""

FRESH_FOR = 1 << 20
"""Allocations of at least this many bytes are checked against a fresh reading."""


def _meminfo_available() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


CGROUP_ROOT = "/sys/fs/cgroup"
"""Where the control groups are mounted (v2 here; v1's memory controller below it, in ``memory``)."""

_V1_UNLIMITED = 1 << 62
"""cgroup v1 writes "no limit" as a number near 2^63 (rounded to pages)."""


def _cgroup_available(root: str = CGROUP_ROOT, membership: str = "/proc/self/cgroup") -> int | None:
    """Bytes left under the memory limits of this process's control group and its ancestors.

    Both versions: v2 (``memory.max`` / ``memory.current``) and v1's memory controller
    (``memory.limit_in_bytes`` / ``memory.usage_in_bytes``). The group's path comes from
    ``membership``; in a container, where only its own subtree is mounted, the path's folders
    that are not there are skipped, so the mount's root (the container's group) still counts.
    """
    try:
        with open(membership, encoding="ascii") as f:
            lines = f.read().splitlines()
    except OSError:
        lines = []
    places: list[tuple[str, str, str, str]] = []  # folder, its path, limit file, usage file
    for line in lines:
        _hierarchy, controllers, path = (line.split(":", 2) + ["", ""])[:3]
        if controllers == "":
            places.append((root, path, "memory.max", "memory.current"))
        elif "memory" in controllers.split(","):
            places.append((os.path.join(root, "memory"), path, "memory.limit_in_bytes", "memory.usage_in_bytes"))
    if not places:
        places.append((root, "/", "memory.max", "memory.current"))
    left: list[int] = []
    for folder, path, limit_file, usage_file in places:
        parts = [p for p in path.split("/") if p]
        for depth in range(len(parts), -1, -1):  # the group, then each ancestor up to the mount's root
            here = os.path.join(folder, *parts[:depth])
            limit = _read_number(os.path.join(here, limit_file))
            if limit is None or limit >= _V1_UNLIMITED:
                continue
            usage = _read_number(os.path.join(here, usage_file))
            if usage is not None:
                left.append(max(0, limit - usage))
    return min(left) if left else None


def _read_number(path: str) -> int | None:
    """The integer in a control file (None when it is absent, unreadable or "max")."""
    try:
        with open(path, encoding="ascii") as f:
            text = f.read().strip()
        return None if text == "max" else int(text)
    except (OSError, ValueError):
        return None


def available_memory() -> int | None:
    """Bytes this process could still use: the least of ``MemAvailable``, cgroup and ``ulimit -v``."""
    bounds = [b for b in (_meminfo_available(), _cgroup_available()) if b is not None]
    soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        bounds.append(max(0, soft - resident_memory()))
    return min(bounds) if bounds else None


_default_cache: tuple[float, int] = (-math.inf, 0)


def default_memory_limit() -> int:
    """The default memory bound: a share of the available memory, plus what is in use already.

    The figure is reused for a second (small checks in a row would otherwise each read /proc).
    """
    global _default_cache
    now = time.perf_counter()
    if now - _default_cache[0] > 1.0:
        free = available_memory()
        if free is None:
            free = 4 << 30
        # the floor never goes past what is there: in a tight control group it would invite the
        # out-of-memory killer, which ends the process with no verdict
        floor = min(MIN_DEFAULT_MEMORY, free * 3 // 4)
        _default_cache = (now, resident_memory() + max(floor, int(free * DEFAULT_MEMORY_SHARE)))
    return _default_cache[1]


def resident_memory(anonymous: bool = False) -> int:
    """Resident memory of this process in bytes (its peak where the current figure is unknown).

    ``anonymous``: without the pages of mapped files (a spilled search's table and levels, which
    the kernel writes back to their files when memory runs short).
    """
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            fields = f.read().split()
        pages = int(fields[1]) - (int(fields[2]) if anonymous else 0)
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return int(peak if sys.platform == "darwin" else peak * 1024)


def format_bytes(n: float) -> str:
    """``1536`` -> ``1.5 KiB``; binary units, one decimal."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)\s*", re.IGNORECASE)


def parse_size(text: str) -> int:
    """A memory size: ``2G``, ``512M``, ``1.5GiB``, ``100000`` (bytes); units are binary.

    >>> parse_size("2G"), parse_size("512 MiB"), parse_size("4096")
    (2147483648, 536870912, 4096)
    """
    m = _SIZE.fullmatch(text)
    if m is None:
        raise CspError(f"not a memory size: {text!r} (expected e.g. 2G, 512M, 1.5GiB)")
    scale = 1 << (10 * "_kmgt".index(m.group(2).lower() or "_"))
    value = int(float(m.group(1)) * scale)
    if value <= 0:
        raise CspError(f"a memory size must be positive: {text!r}")
    return value


@dataclass
class Budget:
    """What one check may use; ``None`` fields take the defaults described in the module docstring.

    Attributes:
        state_limit: states each phase may store.
        memory_limit: bytes of resident memory the process may reach.
        time_limit: seconds since the budget was made.
        progress: receives a :class:`ProgressReport` about twice a second during long work.
        growth_depth: nesting (beyond its start) at which a component's terms are taken to grow
            without bound.
        engine: ``auto`` (the native engine when it is built, else numpy), ``native`` or
            ``numpy`` (the reference; see :mod:`cspotlp.csp.search`).
        workers: processes the native search runs in (states partitioned by hash, see
            :mod:`cspotlp.csp.parallel`); 1 searches in this process.
        threads: threads that expand each level of the native search, sharing one hash table
            (:mod:`cspotlp.csp.threaded`); 1 expands it on the calling thread. Not with workers.
        spill: a folder where the native search keeps its hash table and its stored levels, in
            files mapped into memory (unlinked at once), so that the levels go to disk when
            memory runs short; the memory bound then counts the process's other (anonymous)
            memory and the hash table (probed at random, it must stay in memory), and the
            default state bound follows the folder's free space too. When the table can grow
            no more, the visited set moves to disk (:mod:`cspotlp.csp.external`; over
            workers, each partition's) and the search goes on within the memory bound.
    """

    state_limit: int | None = None
    memory_limit: int | None = None
    time_limit: float | None = None
    progress: ProgressCallback | None = None
    growth_depth: int = GROWTH_DEPTH
    engine: str = "auto"
    workers: int = 1
    spill: str | None = None
    threads: int = 1

    def __post_init__(self) -> None:
        if self.state_limit is not None and self.state_limit < 0:
            raise CspError(f"the state limit cannot be negative (got {self.state_limit})")
        if self.time_limit is not None and not 0 <= self.time_limit < math.inf:
            raise CspError(f"the time limit must be a finite number of seconds (got {self.time_limit})")
        if self.memory_limit is not None and self.memory_limit <= 0:
            raise CspError(f"the memory limit must be positive (got {self.memory_limit})")
        if self.engine not in ENGINES:
            raise CspError(f"unknown engine {self.engine!r} (expected one of {', '.join(ENGINES)})")
        if not 1 <= self.workers <= MAX_WORKERS:
            raise CspError(f"the number of workers must be 1..{MAX_WORKERS} (got {self.workers})")
        if not 1 <= self.threads <= MAX_WORKERS:
            raise CspError(f"the number of threads must be 1..{MAX_WORKERS} (got {self.threads})")
        if self.threads > 1 and self.workers > 1:
            raise CspError(f"a search runs over worker processes or threads, not both (got "
                           f"{self.workers} workers and {self.threads} threads)")
        if self.spill is not None:
            self.spill = spill_folder(self.spill)
        self.explicit_states = self.state_limit is not None
        if self.memory_limit is None:
            self.memory_limit = default_memory_limit()
        if self.state_limit is None:
            fits = self.memory_limit if self.spill is None else max(self.memory_limit, disk_free(self.spill))
            self.state_limit = max(1024, fits // BYTES_PER_STATE)
        self.started = time.perf_counter()
        self._last_report = self.started
        self._rss = 0
        self._rss_at = -math.inf

    @property
    def states(self) -> int:
        """The state bound (always set once the budget is made)."""
        assert self.state_limit is not None
        return self.state_limit

    @property
    def component_states(self) -> int:
        """States one sequential component may have: the explicit limit, else :data:`COMPONENT_STATES`."""
        return self.states if self.explicit_states else min(self.states, COMPONENT_STATES)

    @property
    def memory(self) -> int:
        """The memory bound in bytes (always set once the budget is made)."""
        assert self.memory_limit is not None
        return self.memory_limit

    def narrowed(self, states: int) -> Budget:
        """A budget with fewer states that shares this one's memory, clock and progress."""
        out = Budget(state_limit=states, memory_limit=self.memory_limit, time_limit=self.time_limit,
                     progress=self.progress, growth_depth=self.growth_depth, engine=self.engine,
                     workers=self.workers, spill=self.spill, threads=self.threads)
        out.started = self.started
        return out

    def elapsed(self) -> float:
        """Seconds since the budget was made."""
        return time.perf_counter() - self.started

    def remaining(self) -> float | None:
        """Seconds left (None without a time limit)."""
        return None if self.time_limit is None else max(0.0, self.time_limit - self.elapsed())

    # -- the bounds -------------------------------------------------------------------------------

    def state_reason(self, states: int) -> str:
        """Why a search storing ``states`` stops."""
        if self.explicit_states:
            return f"state limit {self.states:,} reached ({states:,} states stored)"
        return (f"state limit {self.states:,} reached ({states:,} states stored; the default "
                f"limit follows the memory bound {format_bytes(self.memory)})")

    def _resident(self, fresh: bool) -> int:
        # reading /proc costs ~0.1 ms: between small batches a recent figure will do (every large
        # allocation is checked with a fresh one, before it is made)
        now = time.perf_counter()
        if fresh or now - self._rss_at > RSS_EVERY:
            self._rss = resident_memory(anonymous=self.spill is not None)
            self._rss_at = now
        return self._rss

    def memory_reason(self, states: int, need: int = 0, what: str = "") -> str:
        """Why work stops on memory ('' when ``need`` more bytes still fit)."""
        rss = self._resident(fresh=need >= FRESH_FOR)
        if rss + need <= self.memory:
            return ""
        if need:
            return (f"memory limit {format_bytes(self.memory)} reached: {what} needs "
                    f"{format_bytes(need)} more, {format_bytes(rss)} in use ({states:,} states stored)")
        return f"memory limit {format_bytes(self.memory)} reached ({format_bytes(rss)} in use, {states:,} states stored)"

    def time_reason(self, states: int) -> str:
        """Why work stops on time ('' while time is left)."""
        if self.time_limit is not None and self.elapsed() > self.time_limit:
            return f"time limit {self.time_limit:g} s reached after {states:,} states"
        return ""

    def exceeded(self, states: int) -> str:
        """The first bound ``states`` stored (and the process as it is) exceed, or ''."""
        if states > self.states:
            return self.state_reason(states)
        return self.memory_reason(states) or self.time_reason(states)

    def check(self, states: int) -> None:
        """Raise :class:`LimitReached` when a bound is exceeded."""
        reason = self.exceeded(states)
        if reason:
            raise LimitReached(reason, states)

    def reserve(self, nbytes: int, what: str, states: int = 0, *, spilled: bool = False) -> None:
        """Raise :class:`LimitReached` unless ``nbytes`` more fit in the memory bound.

        ``spilled``: the bytes go to the spill folder (when there is one): they must fit on its disk.
        """
        if spilled and self.spill is not None:
            free = disk_free(self.spill)
            reason = "" if nbytes <= free else (
                f"the spill folder {self.spill} is full: {what} needs {format_bytes(nbytes)}, "
                f"{format_bytes(free)} free ({states:,} states stored)")
        else:
            reason = self.memory_reason(states, nbytes, what)
        if reason:
            raise LimitReached(reason, states)

    def report(self, states: int, transitions: int, depth: int = 0, phase: str = "", *,
               final: bool = False, unit: str = "states") -> None:
        """Send a progress report (at most every :data:`REPORT_EVERY` seconds unless ``final``)."""
        if self.progress is None:
            return
        now = time.perf_counter()
        if final or now - self._last_report >= REPORT_EVERY:
            self._last_report = now
            self.progress(ProgressReport(states, transitions, now - self.started, resident_memory(),
                                         depth=depth, phase=phase, unit=unit))


def spill_folder(path: str) -> str:
    """``path`` made (if missing) and checked as a folder a search can write its files to."""
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as e:
        raise CspError(f"cannot spill to {path}: {e.strerror or e}") from None
    return os.path.abspath(path)


def disk_free(path: str) -> int:
    """Bytes free for this user on the file system of ``path``."""
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def budget_of(budget: Budget | None, state_limit: int | None = None, time_limit: float | None = None,
              progress: ProgressCallback | None = None, memory_limit: int | None = None) -> Budget:
    """``budget``, or one made from the separate limits (the API's keyword arguments)."""
    if budget is not None:
        return budget
    return Budget(state_limit=state_limit, memory_limit=memory_limit, time_limit=time_limit,
                  progress=progress)
