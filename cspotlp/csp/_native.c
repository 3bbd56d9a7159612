/* The engine's inner loop in C: expand a block of packed states and insert their successors.
 *
 * This is the native half of cspotlp.csp.levels (see that module and docs/refinement.md). It does
 * exactly what the numpy engine (cspotlp.csp.engine.Expander, cspotlp.csp.search) does for one
 * state, for many states in one call, without intermediate arrays:
 *
 *   - Program: the rule tables of an Expander (joint fields, the merged CSR table, the slot
 *     tables of rules spanning several joint fields) and the specification automaton (step
 *     table, divergent nodes, minimal acceptances), read from numpy arrays once.
 *   - Table: an open-addressing hash set of packed states (k 64-bit words each; word 0 of a used
 *     slot carries the tag bit 63, so zero is free and calloc gives an empty table). Slots are
 *     the top bits of a 64-bit mix of the words.
 *   - expand(): for each state of a block, every enabled concrete rule, the checks of the
 *     specification (forbidden events, deadlock, refusals, divergence given by the caller), and
 *     the successors followed: inserted into the table (new ones appended to the next level).
 *     Successors are hashed and their
 *     slots requested a few successors ahead, so the random accesses to the table overlap.
 *   - predecessors(): which states of a block reach a given state (to rebuild counterexamples
 *     from the stored levels instead of storing a parent per state).
 *   - Partitions (cspotlp.csp.parallel): with parts > 1 each worker process owns the states whose
 *     owner_of_state() is its own (a hash of the program's owner_mask bits of word 0, chosen by
 *     cspotlp.csp.partition, or of the whole state); expand() inserts those and copies the
 *     others, with their owner, to an outbox that the worker hands to their owners between levels.
 *   - Threads (cspotlp.csp.threaded): expand_shared() is expand() for one of several threads
 *     sharing the table, without the GIL: free slots are claimed by compare-and-swap, each call
 *     adds at most the room it is given, and two flags shared by the threads stop them (to grow
 *     the table) and stop their storing (a violation was met).
 *
 * Only the buffer protocol is used (no numpy headers), so building needs nothing but a C
 * compiler and Python's headers; when the build fails, cspotlp uses the numpy engine.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__unix__) || defined(__APPLE__)
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

#define ABI_VERSION 8
#define TAG ((uint64_t)1 << 63)
#define MAX_WORDS 65536

/* ---------------------------------------------------------------------------------------------
 * hashing */

static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

/* The hash of a key whose first word is w0 and whose other words are w[1..k-1]. */
static inline uint64_t hash_words(uint64_t w0, const uint64_t *w, int k)
{
    uint64_t h = mix64(w0 + 0x9E3779B97F4A7C15ULL);
    for (int j = 1; j < k; j++)
        h = mix64(h ^ w[j]);
    return h;
}

static inline uint64_t hash_key(const uint64_t *w, int k)
{
    return hash_words(w[0], w, k);
}

/* Which of `parts` partitions owns a hash: its low half (slots use the top bits). */
static inline int owner_of(uint64_t h, int parts)
{
    return (int)(((h & 0xffffffffULL) * (uint64_t)parts) >> 32);
}

/* The partition that owns state w, whose hash is h: a hash of the bits `mask` of word 0, or of
 * the whole state when mask is 0 (the program's owner_mask, chosen by cspotlp.csp.partition). */
static inline int owner_of_state(const uint64_t *w, uint64_t h, uint64_t mask, int parts)
{
    if (mask)
        h = hash_words(w[0] & mask, w, 1);
    return owner_of(h, parts);
}

static inline int key_less(const uint64_t *a, const uint64_t *b, int k)
{
    for (int j = 0; j < k; j++)
        if (a[j] != b[j])
            return a[j] < b[j];
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * buffers */

typedef struct {
    Py_buffer view;
    int held;
} Buf;

static int get_buf(PyObject *obj, Buf *b, Py_ssize_t itemsize, int writable, const char *name)
{
    int flags = PyBUF_C_CONTIGUOUS | (writable ? PyBUF_WRITABLE : 0);
    b->held = 0;
    if (PyObject_GetBuffer(obj, &b->view, flags) < 0)
        return -1;
    b->held = 1;
    if (b->view.itemsize != itemsize && b->view.len > 0) {
        PyErr_Format(PyExc_TypeError, "%s: expected items of %zd bytes, got %zd", name, itemsize,
                     b->view.itemsize);
        return -1;
    }
    return 0;
}

static void drop_buf(Buf *b)
{
    if (b->held) {
        PyBuffer_Release(&b->view);
        b->held = 0;
    }
}

static Py_ssize_t buf_items(const Buf *b)
{
    return b->view.itemsize ? b->view.len / b->view.itemsize : 0;
}

/* Rows of k words (keys) and one byte per row to write (flags): both held, or neither and an
 * error set ("what: the flags are too short" when flags has fewer bytes than keys rows). */
static int get_rows_and_flags(PyObject *keys_o, PyObject *flags_o, int k, const char *what,
                              Buf *keys, Buf *flags, Py_ssize_t *rows)
{
    flags->held = 0;
    if (get_buf(keys_o, keys, 8, 0, "keys") < 0 || get_buf(flags_o, flags, 1, 1, what) < 0) {
        drop_buf(keys);
        drop_buf(flags);
        return -1;
    }
    *rows = buf_items(keys) / k;
    if (buf_items(flags) < *rows) {
        drop_buf(keys);
        drop_buf(flags);
        PyErr_Format(PyExc_ValueError, "%s: too short for the keys", what);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Table */

typedef struct {
    PyObject_HEAD
    uint64_t *slots;
    size_t mapped; /* bytes mapped for the slots (0: they came from calloc) */
    char *folder;  /* spill: the slots are a file's (unlinked at once) in this folder, else NULL */
    uint64_t *recent; /* a small direct-mapped cache of keys known to be in the table */
    int64_t recent_hits;

    int k;
    int bits;
    uint64_t mask;
    int64_t size;
    int64_t grow_at;

    /* a growth under way (grow, move, end_growth): the slots being moved to the new ones */
    uint64_t *old;
    size_t old_mapped;
    int old_bits;
    int64_t old_size;
} TableObject;

static const double MAX_LOAD = 0.7;

#define HUGE_PAGE ((size_t)2 << 20)
#define RECENT_BITS 12 /* the cache of recent keys: 2**12 keys, within the L1 cache for one word */

/* Whether a row's words after the first are the key's (a slot's or a recent key's row, whose first
 * word matched already). */
static inline int rest_equal(const uint64_t *s, const uint64_t *key, int k)
{
    for (int j = 1; j < k; j++)
        if (s[j] != key[j])
            return 0;
    return 1;
}

/* A cache of recent keys is 2**RECENT_BITS rows of k words: the table's for a search on one thread,
 * each thread's own (its program's) when several share the table (a row another thread were
 * writing could be read half old, half new, and match a key that is not stored). */
static inline uint64_t *recent_slot(uint64_t *recent, int k, uint64_t h)
{
    return recent + (size_t)(h & (((uint64_t)1 << RECENT_BITS) - 1)) * (size_t)k;
}

/* Whether the key is one of the recent keys (then it is in the table: no probe is needed). */
static inline int recent_has(uint64_t *recent, int k, const uint64_t *key, uint64_t h)
{
    const uint64_t *r = recent_slot(recent, k, h);
    return r[0] == (key[0] | TAG) && rest_equal(r, key, k);
}

static inline void recent_put(uint64_t *recent, int k, const uint64_t *key, uint64_t h)
{
    uint64_t *r = recent_slot(recent, k, h);
    r[0] = key[0] | TAG;
    for (int j = 1; j < k; j++)
        r[j] = key[j];
}

#if defined(MAP_ANONYMOUS)
/* Zeroed slots in a new file of `folder`, unlinked at once (the mapping keeps it until unmapped,
 * and nothing is left behind whatever ends the process): the kernel writes its pages to disk when
 * memory runs short, instead of the process running out of memory. */
static uint64_t *slots_on_disk(size_t bytes, const char *folder, size_t *mapped)
{
    size_t len = strlen(folder) + 32;
    char *path = malloc(len);
    if (!path)
        return NULL;
    snprintf(path, len, "%s/cspotlp-table-XXXXXX", folder);
    int fd = mkstemp(path);
    if (fd < 0) {
        PyErr_SetFromErrnoWithFilename(PyExc_OSError, path);
        free(path);
        return NULL;
    }
    unlink(path);
    free(path);
    void *base = MAP_FAILED;
    if (ftruncate(fd, (off_t)bytes) == 0)
        base = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        PyErr_SetFromErrno(PyExc_OSError);
        close(fd);
        return NULL;
    }
    close(fd);
    *mapped = bytes;
    return (uint64_t *)base;
}
#endif

/* Zeroed memory for the slots. Large tables are mapped directly, aligned to huge pages and
 * madvise()d for them: every probe is a random access, and in 4 KiB pages a 32 MiB table spans
 * more pages than the TLB holds (N = 9: the deadlock check and the exploration on two threads
 * took 4-6 % longer).
 * A growth populates the new table piece by piece (move()); when the pages were made one fault
 * at a time, the kernel's compaction at each fault had made growths cost seconds (N = 10: 19 s
 * of 43 s), which the pieces' populating no longer shows, with the page cache full too. */
#if defined(MAP_POPULATE)
/* A new table's pages are made at once, by the mapping: touched at random by the probes, they
 * would each fault. A growing table's are made piece by piece as its rows move (move()). */
#define POPULATE MAP_POPULATE
#else
#define POPULATE 0
#endif

static uint64_t *slots_alloc(size_t bytes, const char *folder, size_t *mapped, int populate)
{
    *mapped = 0;
#if defined(MAP_ANONYMOUS)
    if (folder)
        return slots_on_disk(bytes, folder, mapped);
    if (bytes >= HUGE_PAGE) {
        size_t len = bytes + HUGE_PAGE;
        char *base = mmap(NULL, len, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | (populate ? POPULATE : 0), -1, 0);
        if (base == MAP_FAILED)
            return NULL;
        /* keep a huge-page-aligned part (the rest is given back) */
        size_t skip = (HUGE_PAGE - ((uintptr_t)base & (HUGE_PAGE - 1))) & (HUGE_PAGE - 1);
        if (skip)
            munmap(base, skip);
        if (len - skip > bytes)
            munmap(base + skip + bytes, len - skip - bytes);
#if defined(MADV_HUGEPAGE)
        madvise(base + skip, bytes, MADV_HUGEPAGE);
#endif
        *mapped = bytes;
        return (uint64_t *)(base + skip);
    }
#endif
    return calloc(bytes, 1);
}

static void slots_free(uint64_t *slots, size_t mapped)
{
#if defined(MAP_ANONYMOUS)
    if (mapped) {
        munmap(slots, mapped);
        return;
    }
#endif
    free(slots);
}

static void table_drop_old(TableObject *t)
{
    slots_free(t->old, t->old_mapped);
    t->old = NULL;
    t->old_mapped = 0;
}

/* New empty slots, 2**bits of them; populate: their pages made now (else as they are written). */
static int table_alloc(TableObject *t, int bits, int populate)
{
    if (bits < 4 || bits > 40) {
        PyErr_Format(PyExc_ValueError, "table bits out of range: %d", bits);
        return -1;
    }
    size_t n = (size_t)1 << bits;
    size_t mapped;
    uint64_t *slots = slots_alloc(n * (size_t)t->k * sizeof(uint64_t), t->folder, &mapped, populate);
    if (!slots) {
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        return -1;
    }
    slots_free(t->slots, t->mapped);
    t->slots = slots;
    t->mapped = mapped;
    t->bits = bits;
    t->mask = n - 1;
    t->size = 0;
    t->grow_at = (int64_t)(MAX_LOAD * (double)n);
    return 0;
}

static int Table_init(TableObject *self, PyObject *args, PyObject *kw)
{
    int k, bits;
    const char *folder = NULL;
    static char *names[] = {"words", "bits", "folder", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kw, "ii|z", names, &k, &bits, &folder))
        return -1;
#if !defined(MAP_ANONYMOUS)
    if (folder) {
        PyErr_SetString(PyExc_OSError, "a table on disk needs mmap");
        return -1;
    }
#endif
    free(self->folder);
    self->folder = NULL;
    if (folder && !(self->folder = strdup(folder))) {
        PyErr_NoMemory();
        return -1;
    }
    if (k < 1 || k > MAX_WORDS) {
        PyErr_Format(PyExc_ValueError, "words per state out of range: %d", k);
        return -1;
    }
    self->k = k;
    table_drop_old(self);
    slots_free(self->slots, self->mapped);
    self->slots = NULL;
    self->mapped = 0;
    free(self->recent);
    self->recent = calloc((size_t)1 << RECENT_BITS, (size_t)k * 8);
    if (!self->recent) {
        PyErr_NoMemory();
        return -1;
    }
    return table_alloc(self, bits, 1);
}

static void Table_dealloc(TableObject *self)
{
    table_drop_old(self);
    free(self->folder);
    free(self->recent);
    slots_free(self->slots, self->mapped);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

#define AHEAD 16 /* slots requested ahead of the probe */

/* Request the slot of hash h ahead of its probe: for writing on one thread (a new state is
 * written where the probe ends); for reading when threads share the table, since a request to
 * write takes the line away from the other cores, and most probes only read (measured: two
 * threads did 1.35 times one thread's work at N = 8 with requests to write). */
static inline void table_prefetch(const TableObject *t, uint64_t h, int shared)
{
    const uint64_t *slot = t->slots + (size_t)(h >> (64 - t->bits)) * (size_t)t->k;
    if (shared)
        __builtin_prefetch(slot, 0, 1);
    else
        __builtin_prefetch(slot, 1, 1);
}

/* 1: added, 0: present already, -1: absent but the table may not take it (limit) */
static inline int table_put(TableObject *t, const uint64_t *key, uint64_t h, int64_t limit)
{
    const int k = t->k;
    size_t i = (size_t)(h >> (64 - t->bits));
    const uint64_t k0 = key[0] | TAG;
    if (k == 1) { /* the common case: one word a state */
        uint64_t *slots = t->slots;
        for (;;) {
            const uint64_t s = slots[i];
            if (s == k0)
                return 0;
            if (s == 0) {
                if (t->size >= limit)
                    return -1;
                slots[i] = k0;
                t->size++;
                return 1;
            }
            i = (i + 1) & t->mask;
        }
    }
    for (;;) {
        uint64_t *s = t->slots + i * (size_t)k;
        if (s[0] == 0) {
            if (t->size >= limit)
                return -1;
            s[0] = k0;
            for (int j = 1; j < k; j++)
                s[j] = key[j];
            t->size++;
            return 1;
        }
        if (s[0] == k0 && rest_equal(s, key, k))
            return 0;
        i = (i + 1) & t->mask;
    }
}

#define BUSY ((uint64_t)1) /* word 0 of a slot another thread is filling (no key has it: no tag) */
#if defined(__x86_64__) || defined(__i386__)
#define CPU_RELAX() __builtin_ia32_pause()
#else
#define CPU_RELAX() ((void)0)
#endif

/* table_put for threads sharing the table: a free slot is claimed by an atomic compare-and-swap
 * of its word 0 (to the key's when it is one word, else to BUSY until the other words are
 * written). 1: added, 0: present already. The size is the caller's to count (the threads' room
 * keeps the table within its load). */
static inline int table_put_shared(TableObject *t, const uint64_t *key, uint64_t h)
{
    const int k = t->k;
    size_t i = (size_t)(h >> (64 - t->bits));
    const uint64_t k0 = key[0] | TAG;
    for (;;) {
        uint64_t *s = t->slots + i * (size_t)k;
        uint64_t s0 = __atomic_load_n(s, __ATOMIC_ACQUIRE);
        if (s0 == 0) {
            if (__atomic_compare_exchange_n(s, &s0, k == 1 ? k0 : BUSY, 0, __ATOMIC_ACQ_REL,
                                            __ATOMIC_ACQUIRE)) {
                if (k > 1) {
                    for (int j = 1; j < k; j++)
                        s[j] = key[j];
                    __atomic_store_n(s, k0, __ATOMIC_RELEASE);
                }
                return 1;
            }
            /* another thread took the slot first: s0 is its word now */
        }
        while (s0 == BUSY) { /* its other words are being written */
            CPU_RELAX();
            s0 = __atomic_load_n(s, __ATOMIC_ACQUIRE);
        }
        if (s0 == k0 && rest_equal(s, key, k))
            return 0;
        i = (i + 1) & t->mask;
    }
}

static inline int table_has(const TableObject *t, const uint64_t *key, uint64_t h)
{
    const int k = t->k;
    size_t i = (size_t)(h >> (64 - t->bits));
    const uint64_t k0 = key[0] | TAG;
    for (;;) {
        const uint64_t *s = t->slots + i * (size_t)k;
        if (s[0] == 0)
            return 0;
        if (s[0] == k0 && rest_equal(s, key, k))
            return 1;
        i = (i + 1) & t->mask;
    }
}

static PyObject *Table_reset(TableObject *self, PyObject *args)
{
    int bits;
    if (!PyArg_ParseTuple(args, "i", &bits))
        return NULL;
    table_drop_old(self);
    if (table_alloc(self, bits, 1) < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* ---------------------------------------------------------------------------------------------
 * Growing a table (grow, move, end_growth): its rows move from the old slots, in their order.
 *
 * A row's slot is the top bits of its hash, so rows moved in the order of the old slots are
 * written nearly in order in the new ones (where inserting the levels' states again probed the new
 * table at random), and the old slots' pages are given back as their rows leave: the growth needs
 * hardly more memory than the new table. Threads move parts of the old slots at once. */

/* Put a row (word 0 tagged) that the table does not hold in the first free slot of its probe;
 * shared: one of several threads moving rows at once claims the slot by compare-and-swap. */
static inline void table_place(TableObject *t, const uint64_t *row, int shared)
{
    const int k = t->k;
    size_t i = (size_t)(hash_words(row[0] & ~TAG, row, k) >> (64 - t->bits));
    for (;; i = (i + 1) & t->mask) {
        uint64_t *s = t->slots + i * (size_t)k;
        if (__atomic_load_n(s, __ATOMIC_RELAXED) != 0)
            continue;
        if (shared) {
            uint64_t free_word = 0;
            if (!__atomic_compare_exchange_n(s, &free_word, row[0], 0, __ATOMIC_RELAXED,
                                             __ATOMIC_RELAXED))
                continue;
        } else {
            s[0] = row[0];
        }
        for (int j = 1; j < k; j++) /* no thread reads a row while the table grows */
            s[j] = row[j];
        return;
    }
}

#define PAGE ((uintptr_t)4096)

/* madvise(advice) the pages within [lo, hi) (inward) or meeting it (outward); 0 when done. */
static int pages_advise(void *lo, void *hi, int outward, int advice)
{
#if defined(MAP_ANONYMOUS)
    uintptr_t a = (uintptr_t)lo, b = (uintptr_t)hi;
    a = outward ? a & ~(PAGE - 1) : (a + PAGE - 1) & ~(PAGE - 1);
    b = outward ? (b + PAGE - 1) & ~(PAGE - 1) : b & ~(PAGE - 1);
    return b <= a ? 0 : madvise((void *)a, b - a, advice);
#else
    (void)lo, (void)hi, (void)outward, (void)advice;
    return -1;
#endif
}

/* grow(bits) -> old slots: new empty slots, 2**bits of them; the old ones are kept until their
 * rows are moved (move) and the growth ends (end_growth). */
static PyObject *Table_grow(TableObject *self, PyObject *args)
{
    int bits;
    if (!PyArg_ParseTuple(args, "i", &bits))
        return NULL;
    if (self->old) {
        PyErr_SetString(PyExc_ValueError, "grow: a growth is under way");
        return NULL;
    }
    if (bits <= self->bits) {
        PyErr_Format(PyExc_ValueError, "grow: 2**%d slots is not larger than 2**%d", bits, self->bits);
        return NULL;
    }
    uint64_t *old = self->slots;
    const size_t old_mapped = self->mapped;
    const int old_bits = self->bits;
    const int64_t old_size = self->size;
    self->slots = NULL; /* kept, not freed, by table_alloc */
    self->mapped = 0;
    /* the new pages are made as the rows reach them (move), while the old ones are given back */
    if (table_alloc(self, bits, 0) < 0) {
        self->slots = old;
        self->mapped = old_mapped;
        return NULL;
    }
    self->old = old;
    self->old_mapped = old_mapped;
    self->old_bits = old_bits;
    self->old_size = old_size;
    return PyLong_FromSize_t((size_t)1 << old_bits);
}

/* move(lo, hi, shared) -> moved: move the rows of old slots [lo, hi) without the GIL (shared:
 * threads move disjoint ranges at once), and give their pages back. */
static PyObject *Table_move(TableObject *self, PyObject *args)
{
    Py_ssize_t lo, hi;
    int shared;
    if (!PyArg_ParseTuple(args, "nnp", &lo, &hi, &shared))
        return NULL;
    if (!self->old) {
        PyErr_SetString(PyExc_ValueError, "move: no growth is under way");
        return NULL;
    }
    if (lo < 0 || lo > hi || (size_t)hi > (size_t)1 << self->old_bits) {
        PyErr_SetString(PyExc_ValueError, "move: old slots out of range");
        return NULL;
    }
    const int k = self->k, shift = self->bits - self->old_bits;
    const uint64_t *old = self->old;
    int64_t moved = 0;
    Py_BEGIN_ALLOW_THREADS
#if defined(MADV_POPULATE_WRITE)
    if (self->mapped) /* the pages these rows go to, made at once rather than one fault each */
        pages_advise(self->slots + ((size_t)lo << shift) * k, self->slots + ((size_t)hi << shift) * k,
                     1, MADV_POPULATE_WRITE);
#endif
    for (Py_ssize_t i = lo; i < hi; i++) {
        const uint64_t *row = old + (size_t)i * k;
        if (row[0]) {
            table_place(self, row, shared);
            moved++;
        }
    }
#if defined(MAP_ANONYMOUS)
    if (self->old_mapped) { /* a file's pages (spilled) are dropped from the disk too, where it can */
        void *a = (void *)(old + (size_t)lo * k), *b = (void *)(old + (size_t)hi * k);
#if defined(MADV_REMOVE)
        if (!self->folder || pages_advise(a, b, 0, MADV_REMOVE) != 0)
#endif
            pages_advise(a, b, 0, MADV_DONTNEED);
    }
#endif
    if (shared)
        __atomic_fetch_add(&self->size, moved, __ATOMIC_RELAXED);
    else
        self->size += moved;
    Py_END_ALLOW_THREADS
    return PyLong_FromLongLong(moved);
}

/* end_growth(): the old slots are freed; ValueError unless every row moved. */
static PyObject *Table_end_growth(TableObject *self, PyObject *Py_UNUSED(ignored))
{
    if (!self->old) {
        PyErr_SetString(PyExc_ValueError, "end_growth: no growth is under way");
        return NULL;
    }
    const int64_t size = self->size, old_size = self->old_size;
    table_drop_old(self);
    if (size != old_size) {
        PyErr_Format(PyExc_ValueError, "end_growth: %lld of %lld rows moved", (long long)size,
                     (long long)old_size);
        return NULL;
    }
    Py_RETURN_NONE;
}

/* Whether a growth is under way (ValueError "what: the table is growing"): until its rows have
 * moved, a probe would miss those not moved yet. */
static int table_growing(const TableObject *t, const char *what)
{
    if (!t->old)
        return 0;
    PyErr_Format(PyExc_ValueError, "%s: the table is growing", what);
    return 1;
}

/* Insert n rows of keys (the slots of the next AHEAD requested ahead); each new one is appended
 * at out (unless NULL). Stops at the first new key past limit (*limited = 1). Returns how many
 * were added. */
static int64_t add_rows(TableObject *t, const uint64_t *kp, Py_ssize_t n, int64_t limit,
                        uint64_t *op, Py_ssize_t *out_pos, int *limited)
{
    const int k = t->k;
    uint64_t hs[AHEAD];
    int64_t added = 0;
    *limited = 0;
    for (Py_ssize_t i = 0; i < n && i < AHEAD; i++) {
        hs[i] = hash_key(kp + i * k, k);
        table_prefetch(t, hs[i], 0);
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        uint64_t h = hs[i % AHEAD];
        if (i + AHEAD < n) {
            hs[i % AHEAD] = hash_key(kp + (i + AHEAD) * k, k);
            table_prefetch(t, hs[i % AHEAD], 0);
        }
        int r = table_put(t, kp + i * k, h, limit);
        if (r < 0) {
            *limited = 1;
            break;
        }
        if (r > 0) {
            added++;
            if (op) {
                memcpy(op + *out_pos * k, kp + i * k, (size_t)k * 8);
                (*out_pos)++;
            }
        }
    }
    return added;
}

/* add(keys, out, out_pos, limit) -> (out_pos, limited): insert rows of keys (n x k); each new
 * one is appended to out (unless out is None). Stops at the first new key past limit. */
static PyObject *Table_add(TableObject *self, PyObject *args)
{
    PyObject *keys_o, *out_o;
    Py_ssize_t out_pos;
    long long limit;
    if (!PyArg_ParseTuple(args, "OOnL", &keys_o, &out_o, &out_pos, &limit))
        return NULL;
    Buf keys, out;
    out.held = 0;
    if (get_buf(keys_o, &keys, 8, 0, "keys") < 0)
        goto fail;
    int has_out = out_o != Py_None;
    if (has_out && get_buf(out_o, &out, 8, 1, "out") < 0)
        goto fail;
    const int k = self->k;
    Py_ssize_t n = buf_items(&keys) / k;
    Py_ssize_t out_cap = has_out ? buf_items(&out) / k : 0;
    if (has_out && out_cap - out_pos < n) {
        PyErr_SetString(PyExc_ValueError, "add: the output has too little room");
        goto fail;
    }
    if (table_growing(self, "add"))
        goto fail;
    if (self->size + n >= ((int64_t)1 << self->bits)) { /* a full table would probe forever */
        PyErr_SetString(PyExc_ValueError, "add: the table is too small");
        goto fail;
    }
    int limited;
    add_rows(self, keys.view.buf, n, (int64_t)limit, has_out ? out.view.buf : NULL, &out_pos,
             &limited);
    drop_buf(&keys);
    drop_buf(&out);
    return Py_BuildValue("ni", out_pos, limited);
fail:
    drop_buf(&keys);
    drop_buf(&out);
    return NULL;
}

/* contains(keys, mask): mask[i] = 1 when row i of keys is in the table */
static PyObject *Table_contains(TableObject *self, PyObject *args)
{
    PyObject *keys_o, *mask_o;
    if (!PyArg_ParseTuple(args, "OO", &keys_o, &mask_o))
        return NULL;
    if (table_growing(self, "contains"))
        return NULL;
    const int k = self->k;
    Buf keys, mask;
    Py_ssize_t n;
    if (get_rows_and_flags(keys_o, mask_o, k, "contains: mask", &keys, &mask, &n) < 0)
        return NULL;
    const uint64_t *kp = keys.view.buf;
    uint8_t *mp = mask.view.buf;
    for (Py_ssize_t i = 0; i < n; i++)
        mp[i] = (uint8_t)table_has(self, kp + i * k, hash_key(kp + i * k, k));
    drop_buf(&keys);
    drop_buf(&mask);
    Py_RETURN_NONE;
}

static PyObject *Table_get_size(TableObject *self, void *closure)
{
    (void)closure;
    return PyLong_FromLongLong(self->size);
}

static PyObject *Table_get_bits(TableObject *self, void *closure)
{
    (void)closure;
    return PyLong_FromLong(self->bits);
}

static PyObject *Table_get_grow_at(TableObject *self, void *closure)
{
    (void)closure;
    return PyLong_FromLongLong(self->grow_at);
}

static PyObject *Table_get_recent_hits(TableObject *self, void *closure)
{
    (void)closure;
    return PyLong_FromLongLong(self->recent_hits);
}

static PyObject *Table_get_nbytes(TableObject *self, void *closure)
{
    (void)closure;
    return PyLong_FromSize_t(((size_t)1 << self->bits) * (size_t)self->k * 8);
}

static PyMethodDef Table_methods[] = {
    {"reset", (PyCFunction)Table_reset, METH_VARARGS, "reset(bits): empty, with 2**bits slots"},
    {"grow", (PyCFunction)Table_grow, METH_VARARGS,
     "grow(bits) -> old slots: new empty slots, the old kept until their rows move"},
    {"move", (PyCFunction)Table_move, METH_VARARGS,
     "move(lo, hi, shared) -> moved: move the rows of old slots [lo, hi) (threads at once: shared)"},
    {"end_growth", (PyCFunction)Table_end_growth, METH_NOARGS,
     "end_growth(): free the old slots once every row moved"},
    {"add", (PyCFunction)Table_add, METH_VARARGS,
     "add(keys, out, out_pos, limit) -> (out_pos, limited)"},
    {"contains", (PyCFunction)Table_contains, METH_VARARGS, "contains(keys, mask)"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Table_getset[] = {
    {"size", (getter)Table_get_size, NULL, "states stored", NULL},
    {"bits", (getter)Table_get_bits, NULL, "log2 of the slots", NULL},
    {"grow_at", (getter)Table_get_grow_at, NULL, "size past which the table must grow", NULL},
    {"nbytes", (getter)Table_get_nbytes, NULL, "bytes of the slots", NULL},
    {"recent_hits", (getter)Table_get_recent_hits, NULL, "successors the recent keys answered", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject TableType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "cspotlp.csp._native.Table",
    .tp_basicsize = sizeof(TableObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Table(words, bits): a hash set of packed states",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Table_init,
    .tp_dealloc = (destructor)Table_dealloc,
    .tp_methods = Table_methods,
    .tp_getset = Table_getset,
};

/* ---------------------------------------------------------------------------------------------
 * Program */

enum {
    B_GROUP_WORD, B_GROUP_SHIFT, B_GROUP_MASK, B_USED_GROUPS, B_M_GROUPS, B_M_BASES, B_COUNTS,
    B_OFFSETS, B_RULES, B_DELTAS, B_DRIVER_WORD, B_SLOT_GROUP, B_SLOT_BASE, B_SLOT_WORD,
    B_FLAT_OK, B_FLAT_DELTA, B_RULE_EVENT, B_STEP, B_DIVERGENT, B_ACC_OFFSETS, B_ACC_BITS,
    NUM_BUFS
};

static const char *buf_names[NUM_BUFS] = {
    "group_word", "group_shift", "group_mask", "used_groups", "m_groups", "m_bases", "counts",
    "offsets", "rules", "deltas", "driver_word", "slot_group", "slot_base", "slot_word",
    "flat_ok", "flat_delta", "rule_event", "step", "divergent", "acc_offsets", "acc_bits",
};

static const Py_ssize_t buf_sizes[NUM_BUFS] = {8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 1, 8, 8,
                                               8, 1, 8, 8};

typedef struct {
    PyObject_HEAD
    Buf bufs[NUM_BUFS];
    int k;
    int num_groups, num_used, num_tables, num_local, width, max_slots;
    int64_t max_candidates; /* at most this many candidate pairs per state */
    /* the specification */
    int trivial;      /* every event allowed: no step look-ups */
    int follow_tick;  /* (trivial only) ✓ transitions are followed */
    int node_word, node_shift;
    uint64_t node_mask;
    int64_t num_nodes, num_events;
    int any_event, check_acc, acc_words;
    /* partitions: a state's owner is a hash of these bits of word 0 (0: of the whole state) */
    uint64_t owner_mask;
    /* views */
    const int64_t *group_word, *group_shift, *used_groups, *m_groups, *m_bases, *counts, *offsets,
        *rules, *driver_word, *slot_group, *slot_base, *slot_word, *rule_event, *step, *acc_offsets;
    const uint64_t *group_mask, *deltas, *flat_delta, *acc_bits;
    const uint8_t *flat_ok, *divergent;
    /* scratch */
    int64_t *joint;
    uint64_t *offered;
    uint64_t *succ;   /* successor words of one state */
    int64_t *rule;    /* their rules */
    uint64_t *hash;   /* their hashes */
    uint8_t *follow;  /* 1: the successor is followed, 0: it is not */
    Py_ssize_t scratch_pairs;
    uint64_t *recent; /* the recent keys of this program's thread, when threads share a table */
    PyObject *tables; /* what it was made of (clone() makes another) */
} ProgramObject;

static int dict_int(PyObject *d, const char *name, long long *out)
{
    PyObject *v = PyDict_GetItemString(d, name);
    if (!v) {
        PyErr_Format(PyExc_KeyError, "program: missing %s", name);
        return -1;
    }
    *out = PyLong_AsLongLong(v);
    return PyErr_Occurred() ? -1 : 0;
}

#define CACHE_LINE 64

/* Zeroed memory in whole cache lines of its own: a thread's small scratch, written for every
 * state, must not share a line with another thread's (each write would take the line from the
 * other core). Freed with free(). */
static void *calloc_lines(size_t count, size_t size)
{
    size_t bytes = (count * size + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE;
    void *out = NULL;
    if (posix_memalign(&out, CACHE_LINE, bytes ? bytes : CACHE_LINE) != 0)
        return NULL;
    memset(out, 0, bytes);
    return out;
}

static int program_scratch(ProgramObject *p, Py_ssize_t pairs)
{
    if (pairs <= p->scratch_pairs)
        return 0;
    Py_ssize_t n = pairs < 2 * p->scratch_pairs ? 2 * p->scratch_pairs : pairs;
    uint64_t *succ = realloc(p->succ, (size_t)n * (size_t)p->k * 8);
    if (succ)
        p->succ = succ;
    int64_t *rule = realloc(p->rule, (size_t)n * 8);
    if (rule)
        p->rule = rule;
    uint64_t *hash = realloc(p->hash, (size_t)n * 8);
    if (hash)
        p->hash = hash;
    uint8_t *follow = realloc(p->follow, (size_t)n);
    if (follow)
        p->follow = follow;
    if (!succ || !rule || !hash || !follow)
        return -1; /* the caller raises MemoryError (this may run without the GIL) */
    p->scratch_pairs = n;
    return 0;
}

static int Program_init(ProgramObject *self, PyObject *args, PyObject *kw)
{
    PyObject *d;
    static char *names[] = {"tables", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O!", names, &PyDict_Type, &d))
        return -1;
    for (int i = 0; i < NUM_BUFS; i++) {
        PyObject *v = PyDict_GetItemString(d, buf_names[i]);
        if (!v) {
            PyErr_Format(PyExc_KeyError, "program: missing %s", buf_names[i]);
            return -1;
        }
        if (get_buf(v, &self->bufs[i], buf_sizes[i], 0, buf_names[i]) < 0)
            return -1;
    }
    long long v[15];
    const char *ints[15] = {"words", "num_groups", "num_tables", "num_local", "width",
                            "max_slots", "trivial", "follow_tick", "node_word", "node_shift",
                            "node_bits", "num_nodes", "num_events", "any_event", "check_acc"};
    for (int i = 0; i < 15; i++)
        if (dict_int(d, ints[i], &v[i]) < 0)
            return -1;
    self->k = (int)v[0];
    if (self->k < 1 || self->k > MAX_WORDS) {
        PyErr_SetString(PyExc_ValueError, "program: words per state out of range");
        return -1;
    }
    self->num_groups = (int)v[1];
    self->num_tables = (int)v[2];
    self->num_local = (int)v[3];
    self->width = (int)v[4];
    self->max_slots = (int)v[5];
    self->trivial = (int)v[6];
    self->follow_tick = (int)v[7];
    self->node_word = (int)v[8];
    self->node_shift = (int)v[9];
    self->node_mask = v[10] > 0 ? (((uint64_t)1 << v[10]) - 1) : 0;
    self->num_nodes = v[11];
    self->num_events = v[12];
    self->any_event = (int)v[13];
    self->check_acc = (int)v[14];
    self->acc_words = (int)((self->num_events + 63) / 64);
    long long mc;
    if (dict_int(d, "max_candidates", &mc) < 0)
        return -1;
    self->max_candidates = mc;
    long long om;
    if (dict_int(d, "owner_mask", &om) < 0)
        return -1;
    self->owner_mask = (uint64_t)om;
    self->num_used = (int)buf_items(&self->bufs[B_USED_GROUPS]);
#define I64(i) ((const int64_t *)self->bufs[i].view.buf)
#define U64(i) ((const uint64_t *)self->bufs[i].view.buf)
    self->group_word = I64(B_GROUP_WORD);
    self->group_shift = I64(B_GROUP_SHIFT);
    self->group_mask = U64(B_GROUP_MASK);
    self->used_groups = I64(B_USED_GROUPS);
    self->m_groups = I64(B_M_GROUPS);
    self->m_bases = I64(B_M_BASES);
    self->counts = I64(B_COUNTS);
    self->offsets = I64(B_OFFSETS);
    self->rules = I64(B_RULES);
    self->deltas = U64(B_DELTAS);
    self->driver_word = I64(B_DRIVER_WORD);
    self->slot_group = I64(B_SLOT_GROUP);
    self->slot_base = I64(B_SLOT_BASE);
    self->slot_word = I64(B_SLOT_WORD);
    self->flat_ok = (const uint8_t *)self->bufs[B_FLAT_OK].view.buf;
    self->flat_delta = U64(B_FLAT_DELTA);
    self->rule_event = I64(B_RULE_EVENT);
    self->step = I64(B_STEP);
    self->divergent = (const uint8_t *)self->bufs[B_DIVERGENT].view.buf;
    self->acc_offsets = I64(B_ACC_OFFSETS);
    self->acc_bits = U64(B_ACC_BITS);
#undef I64
#undef U64
    self->joint = calloc_lines((size_t)(self->num_groups + 1), sizeof(int64_t));
    self->offered = calloc_lines((size_t)(self->acc_words + 1), sizeof(uint64_t));
    if (!self->joint || !self->offered) {
        PyErr_NoMemory();
        return -1;
    }
    Py_XSETREF(self->tables, Py_NewRef(d));
    if (program_scratch(self, 1024) < 0) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static void Program_dealloc(ProgramObject *self)
{
    for (int i = 0; i < NUM_BUFS; i++)
        drop_buf(&self->bufs[i]);
    free(self->joint);
    free(self->offered);
    free(self->succ);
    free(self->rule);
    free(self->hash);
    free(self->follow);
    free(self->recent);
    Py_XDECREF(self->tables);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* clone(): another program of the same tables, with scratch of its own, for another thread */
static PyObject *Program_clone(ProgramObject *self, PyObject *unused)
{
    (void)unused;
    return PyObject_CallOneArg((PyObject *)Py_TYPE(self), self->tables);
}

static PyMethodDef Program_methods[] = {
    {"clone", (PyCFunction)Program_clone, METH_NOARGS,
     "clone() -> Program: the same tables, its own scratch (one program per thread)"},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef Program_members[] = {
    {"owner_mask", T_ULONGLONG, offsetof(ProgramObject, owner_mask), READONLY,
     "the bits of word 0 whose hash gives a state's owner among worker processes (0: all words)"},
    {NULL, 0, 0, 0, NULL},
};

static PyTypeObject ProgramType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "cspotlp.csp._native.Program",
    .tp_basicsize = sizeof(ProgramObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Program(tables): the rule tables and the specification of one search",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Program_init,
    .tp_dealloc = (destructor)Program_dealloc,
    .tp_methods = Program_methods,
    .tp_members = Program_members,
};

/* ---------------------------------------------------------------------------------------------
 * expansion of one state */

static inline void read_joint(ProgramObject *p, const uint64_t *s)
{
    for (int u = 0; u < p->num_used; u++) {
        int64_t g = p->used_groups[u];
        p->joint[g] = (int64_t)((s[p->group_word[g]] >> p->group_shift[g]) & p->group_mask[g]);
    }
}

/* Candidate pairs of the state whose joint fields are read (enabled or not). */
static inline int64_t candidates(const ProgramObject *p)
{
    int64_t c = 0;
    for (int t = 0; t < p->num_tables; t++)
        c += p->counts[p->joint[p->m_groups[t]] + p->m_bases[t]];
    return c;
}

/* The enabled concrete rules of state s (joint fields read) and their successor words, written
 * at succ/rule; returns how many, and sets *omega when the "terminated" pseudo rule is enabled. */
static inline Py_ssize_t generate(const ProgramObject *p, const uint64_t *s, uint64_t *succ,
                                  int64_t *rule, int *omega)
{
    const int k = p->k;
    Py_ssize_t n = 0;
    for (int t = 0; t < p->num_tables; t++) {
        int64_t at = p->joint[p->m_groups[t]] + p->m_bases[t];
        int64_t lo = p->offsets[at], hi = lo + p->counts[at];
        for (int64_t q = lo; q < hi; q++) {
            int64_t r = p->rules[q];
            uint64_t *w = succ + n * k;
            for (int j = 0; j < k; j++)
                w[j] = s[j];
            w[p->driver_word[r]] += p->deltas[q];
            if (t >= p->num_local) {
                int ok = 1;
                const int64_t *sg = p->slot_group + r * p->width;
                const int64_t *sb = p->slot_base + r * p->width;
                const int64_t *sw = p->slot_word + r * p->width;
                for (int sl = 0; sl < p->max_slots; sl++) {
                    int64_t g2 = sg[sl];
                    if (g2 < 0)
                        break;
                    int64_t f = sb[sl] + p->joint[g2];
                    if (!p->flat_ok[f]) {
                        ok = 0;
                        break;
                    }
                    w[sw[sl]] += p->flat_delta[f];
                }
                if (!ok)
                    continue;
            }
            if (p->rule_event[r] < 0) {
                *omega = 1;
                continue;
            }
            rule[n++] = r;
        }
    }
    return n;
}

static inline int64_t node_of(const ProgramObject *p, const uint64_t *s)
{
    return p->node_mask ? (int64_t)((s[p->node_word] >> p->node_shift) & p->node_mask) : 0;
}

static inline void set_node(const ProgramObject *p, uint64_t *s, int64_t node)
{
    if (p->node_mask) {
        uint64_t *w = s + p->node_word;
        *w = (*w & ~(p->node_mask << p->node_shift)) | ((uint64_t)node << p->node_shift);
    }
}

/* The specification's verdict on the pairs of one state: marks each pair followed (1) or not
 * (0), replaces the node field of followed successors, and returns the state's violation
 * priority (0 divergence, 1 refusal or deadlock, 2 forbidden event, 3 none); *bad_rule is the
 * least rule whose event is forbidden. */
static inline int judge(ProgramObject *p, const uint64_t *s, Py_ssize_t n, uint64_t *succ,
                        const int64_t *rule, uint8_t *follow, int omega, int diverges,
                        int64_t *bad_rule)
{
    const int k = p->k;
    int prio = diverges ? 0 : 3;
    int has_tau = 0, has_tick = 0;
    int64_t node = p->trivial ? 0 : node_of(p, s);
    const int64_t *row = p->trivial ? NULL : p->step + node * p->num_events;
    if (p->check_acc)
        memset(p->offered, 0, (size_t)p->acc_words * 8);
    *bad_rule = -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t ev = p->rule_event[rule[i]];
        if (ev == 0)
            has_tau = 1;
        else if (ev == 1)
            has_tick = 1;
        else if (p->check_acc)
            p->offered[ev >> 6] |= (uint64_t)1 << (ev & 63);
        if (p->trivial) {
            follow[i] = (uint8_t)(p->follow_tick || ev != 1);
            continue;
        }
        int64_t nx = row[ev];
        if (nx == -1) {
            follow[i] = 0;
            if (*bad_rule < 0 || rule[i] < *bad_rule)
                *bad_rule = rule[i];
            if (prio > 2)
                prio = 2;
        } else if (nx < 0) {
            follow[i] = 0;
        } else {
            follow[i] = 1;
            if (p->num_nodes > 1)
                set_node(p, succ + i * k, nx);
        }
    }
    if (p->any_event) {
        if (n == 0 && !omega && prio > 1)
            prio = 1;
    } else if (p->check_acc && !has_tau && !omega) {
        if (has_tick) {
            memset(p->offered, 0, (size_t)p->acc_words * 8);
            p->offered[0] = 2; /* ✓ is a signal: such a state may refuse everything but ✓ */
        }
        int ok = 0;
        for (int64_t a = p->acc_offsets[node]; a < p->acc_offsets[node + 1] && !ok; a++) {
            const uint64_t *bits = p->acc_bits + a * p->acc_words;
            int sub = 1;
            for (int j = 0; j < p->acc_words; j++)
                if (bits[j] & ~p->offered[j]) {
                    sub = 0;
                    break;
                }
            ok = sub;
        }
        if (!ok && prio > 1)
            prio = 1;
    }
    return prio;
}

/* ---------------------------------------------------------------------------------------------
 * expand(): one block of a level */

enum { DONE = 0, NEED_TABLE = 1, NEED_NEXT = 2, NEED_OUT = 3, PAUSED = 4 };

/* The successors waiting to be probed: copied out of the generation buffer, with their hashes,
 * so that the probing loop is a tight one with the slots of the next AHEAD already requested. */
typedef struct {
    uint64_t *key;
    uint64_t *hash;
    Py_ssize_t n, cap;
} Pending;

#define PENDING 1024 /* successors probed together */

static int pending_room(Pending *q, Py_ssize_t more, int k)
{
    if (q->n + more <= q->cap)
        return 0;
    Py_ssize_t cap = q->cap ? q->cap : PENDING;
    while (cap < q->n + more)
        cap *= 2;
    uint64_t *key = realloc(q->key, (size_t)cap * (size_t)k * 8);
    if (key)
        q->key = key;
    uint64_t *hash = realloc(q->hash, (size_t)cap * 8);
    if (hash)
        q->hash = hash;
    if (!key || !hash)
        return -1; /* the caller raises MemoryError (this runs without the GIL) */
    q->cap = cap;
    return 0;
}

/* One call of expand() or expand_shared(): its arguments, what it keeps while it runs, and its
 * results. It runs without the GIL (no Python object is touched). */
typedef struct {
    ProgramObject *p;
    TableObject *t;
    const uint64_t *sp;   /* the states */
    const uint8_t *dv;    /* whether each diverges, or NULL */
    Py_ssize_t start, stop;
    uint64_t *np_;        /* the next level's block */
    Py_ssize_t next_cap, next_pos;
    int64_t limit;        /* one thread: the state bound */
    int inserting, parts, me;
    uint64_t *op;         /* partitions: the outbox and each row's owner */
    uint8_t *tp;
    Py_ssize_t out_cap, out_pos;
    /* threads sharing the table: the states this call may add (the table's room is shared out
     * by the caller) and the flags they share */
    int shared;
    int64_t room;
    uint8_t *flags; /* [0]: stop at the next state (PAUSED); [1]: the level holds a violation */
    uint64_t *recent;
    Pending pend;
    /* results */
    Py_ssize_t at;
    int code, limited, nomem;
    long long transitions;
    Py_ssize_t best;
    int best_prio;
    int64_t need, added, recent_hits;
} Expansion;

/* Probe the pending successors in order; new ones are appended to the next level. Returns 1 when
 * the state limit stopped the insertions. */
static int flush(Expansion *e)
{
    TableObject *t = e->t;
    Pending *q = &e->pend;
    const int k = t->k;
    const Py_ssize_t n = q->n;
    q->n = 0;
    for (Py_ssize_t j = 0; j < n && j < AHEAD; j++)
        table_prefetch(t, q->hash[j], e->shared);
    for (Py_ssize_t j = 0; j < n; j++) {
        if (j + AHEAD < n)
            table_prefetch(t, q->hash[j + AHEAD], e->shared);
        const uint64_t *w = q->key + j * k;
        const int r = e->shared ? table_put_shared(t, w, q->hash[j]) : table_put(t, w, q->hash[j], e->limit);
        if (r < 0)
            return 1;
        recent_put(e->recent, k, w, q->hash[j]);
        if (r > 0) {
            memcpy(e->np_ + e->next_pos * k, w, (size_t)k * 8);
            e->next_pos++;
            e->added++;
        }
    }
    return 0;
}

/* Room for a state's c successors (the table's, the next level's, the outbox's): DONE, or the
 * caller's reason to stop (after the pending ones are stored, when that alone does not help). */
static int make_room(Expansion *e, int64_t c)
{
    TableObject *t = e->t;
    int full = DONE;
    for (int round = 0; round < 2; round++) {
        const int64_t want = e->pend.n + c;
        const int64_t free_slots = e->shared ? e->room - e->added : t->grow_at - t->size;
        full = DONE;
        if (want > free_slots && (e->shared || t->size < e->limit)) {
            full = NEED_TABLE;
        } else if (want > e->next_cap - e->next_pos) {
            full = NEED_NEXT;
        } else if (e->parts > 1 && c > e->out_cap - e->out_pos) {
            return NEED_OUT; /* flushing does not help: the caller empties the outbox */
        }
        if (!full || e->pend.n == 0)
            break;
        if (flush(e)) {
            e->limited = 1;
            e->inserting = 0;
            return DONE;
        }
    }
    return full;
}

/* The states start..stop (see expand()'s docstring in native_methods) */
static void expand_states(Expansion *e)
{
    ProgramObject *p = e->p;
    TableObject *t = e->t;
    const int k = p->k;
    Py_ssize_t j = e->start;
    for (; j < e->stop; j++) {
        const uint64_t *s = e->sp + j * k;
        if (e->flags) {
            if (__atomic_load_n(&e->flags[0], __ATOMIC_RELAXED)) {
                e->code = PAUSED;
                break;
            }
            if (e->inserting && __atomic_load_n(&e->flags[1], __ATOMIC_RELAXED)) {
                e->inserting = 0; /* another thread met a violation: nothing more is stored */
                e->pend.n = 0;
            }
        }
        if (!p->trivial && p->num_nodes > 0 && p->divergent[node_of(p, s)])
            continue; /* after a divergent node anything goes: not expanded */
        read_joint(p, s);
        /* the bound when it is small (it saves a pass over the tables), else the state's own */
        const int64_t c = p->max_candidates <= 4096 ? p->max_candidates : candidates(p);
        if (e->inserting) {
            /* room for this state's successors, or else the caller makes room and calls again
             * from this state */
            const int full = make_room(e, c);
            if (full) {
                e->code = full;
                e->need = c;
                break;
            }
        }
        if (program_scratch(p, c + 1) < 0 || (e->inserting && pending_room(&e->pend, c, k) < 0)) {
            e->nomem = 1;
            break;
        }
        int omega = 0;
        const Py_ssize_t n = generate(p, s, p->succ, p->rule, &omega);
        int64_t bad_rule;
        const int prio = judge(p, s, n, p->succ, p->rule, p->follow, omega, e->dv ? e->dv[j] : 0,
                               &bad_rule);
        e->transitions += n;
        if (prio < 3) {
            const uint64_t *b = e->best < 0 ? NULL : e->sp + e->best * k;
            if (!b || key_less(s, b, k) || (!key_less(b, s, k) && prio < e->best_prio)) {
                e->best = j;
                e->best_prio = prio;
            }
            e->inserting = 0; /* this level holds a violation: nothing more is stored */
            e->pend.n = 0;
            if (e->flags)
                __atomic_store_n(&e->flags[1], 1, __ATOMIC_RELAXED);
        }
        if (!e->inserting)
            continue;
        Pending *q = &e->pend;
        for (Py_ssize_t i = 0; i < n; i++) {
            if (!p->follow[i])
                continue;
            const uint64_t *w = p->succ + i * k;
            const uint64_t h = hash_key(w, k);
            if (recent_has(e->recent, k, w, h)) {
                e->recent_hits++;
                continue; /* stored already, or handed to its owner */
            }
            if (e->parts > 1) {
                const int owner = owner_of_state(w, h, p->owner_mask, e->parts);
                if (owner != e->me) {
                    recent_put(e->recent, k, w, h);
                    memcpy(e->op + e->out_pos * k, w, (size_t)k * 8);
                    e->tp[e->out_pos++] = (uint8_t)owner;
                    continue;
                }
            }
            memcpy(q->key + q->n * k, w, (size_t)k * 8);
            q->hash[q->n++] = h;
        }
        if (q->n >= PENDING && flush(e)) {
            e->limited = 1;
            e->inserting = 0;
        }
    }
    if (e->inserting && e->pend.n && !e->nomem && flush(e)) {
        e->limited = 1;
        e->inserting = 0;
    }
    e->at = j;
    if (e->shared)
        __atomic_fetch_add(&t->size, e->added, __ATOMIC_RELAXED);
    __atomic_fetch_add(&t->recent_hits, e->recent_hits, __ATOMIC_RELAXED);
}

/* Hold the buffers of a call, run it without the GIL, and give its results (or raise). */
static PyObject *run_expansion(Expansion *e, PyObject *states_o, PyObject *div_o, PyObject *next_o,
                               PyObject *out_o, PyObject *to_o, PyObject *flags_o)
{
    ProgramObject *p = e->p;
    const int k = p->k;
    Buf states, div, next, out, to, flags;
    states.held = div.held = next.held = out.held = to.held = flags.held = 0;
    PyObject *result = NULL;
    e->pend = (Pending){NULL, NULL, 0, 0};
    if (e->parts < 1 || e->parts > 255 || e->me < 0 || e->me >= e->parts) {
        PyErr_SetString(PyExc_ValueError, "expand: partition out of range");
        goto done;
    }
    if (e->t->k != k) {
        PyErr_SetString(PyExc_ValueError, "expand: table and program disagree on the words");
        goto done;
    }
    if (table_growing(e->t, "expand"))
        goto done;
    if (get_buf(states_o, &states, 8, 0, "states") < 0)
        goto done;
    if (div_o != Py_None && get_buf(div_o, &div, 1, 0, "diverges") < 0)
        goto done;
    if (get_buf(next_o, &next, 8, 1, "next") < 0)
        goto done;
    if (e->parts > 1 && (get_buf(out_o, &out, 8, 1, "out") < 0 || get_buf(to_o, &to, 1, 1, "to") < 0))
        goto done;
    if (flags_o != Py_None && get_buf(flags_o, &flags, 1, 1, "flags") < 0)
        goto done;
    if (flags.held && buf_items(&flags) < 2) {
        PyErr_SetString(PyExc_ValueError, "expand: flags: two bytes expected");
        goto done;
    }
    Py_ssize_t n_states = buf_items(&states) / k;
    if (e->stop > n_states || e->start < 0 || e->start > e->stop || e->next_pos < 0 ||
        e->next_pos > buf_items(&next) / k || (div.held && buf_items(&div) < e->stop)) {
        PyErr_SetString(PyExc_ValueError, "expand: block out of range");
        goto done;
    }
    if (e->shared && !p->recent &&
        !(p->recent = calloc_lines((size_t)1 << RECENT_BITS, (size_t)k * 8))) {
        PyErr_NoMemory();
        goto done;
    }
    if (pending_room(&e->pend, PENDING, k) < 0) {
        PyErr_NoMemory();
        goto done;
    }
    e->sp = states.view.buf;
    e->dv = div.held ? div.view.buf : NULL;
    e->np_ = next.view.buf;
    e->next_cap = buf_items(&next) / k;
    e->op = out.held ? out.view.buf : NULL;
    e->tp = to.held ? to.view.buf : NULL;
    e->out_cap = out.held ? buf_items(&out) / k : 0;
    if (to.held && buf_items(&to) < e->out_cap)
        e->out_cap = buf_items(&to);
    e->flags = flags.held ? flags.view.buf : NULL;
    e->recent = e->shared ? p->recent : e->t->recent;
    e->code = DONE;
    e->best = -1;
    e->best_prio = 3;
    Py_BEGIN_ALLOW_THREADS
    expand_states(e);
    Py_END_ALLOW_THREADS
    if (e->nomem) {
        PyErr_NoMemory();
        goto done;
    }
    result = Py_BuildValue("nniLniLinnL", e->at, (Py_ssize_t)e->code, e->limited, e->transitions,
                           e->best, e->best_prio, (long long)e->need, e->inserting, e->next_pos,
                           e->out_pos, (long long)e->added);
done:
    free(e->pend.key);
    free(e->pend.hash);
    drop_buf(&states);
    drop_buf(&div);
    drop_buf(&next);
    drop_buf(&out);
    drop_buf(&to);
    drop_buf(&flags);
    return result;
}

static PyObject *native_expand(PyObject *mod, PyObject *args)
{
    (void)mod;
    Expansion e = {0};
    PyObject *states_o, *div_o, *next_o, *out_o, *to_o;
    long long limit;
    if (!PyArg_ParseTuple(args, "O!O!OnnOOnLpiiOOn", &ProgramType, &e.p, &TableType, &e.t, &states_o,
                          &e.start, &e.stop, &div_o, &next_o, &e.next_pos, &limit, &e.inserting,
                          &e.parts, &e.me, &out_o, &to_o, &e.out_pos))
        return NULL;
    e.limit = limit;
    return run_expansion(&e, states_o, div_o, next_o, out_o, to_o, Py_None);
}

static PyObject *native_expand_shared(PyObject *mod, PyObject *args)
{
    (void)mod;
    Expansion e = {0};
    PyObject *states_o, *div_o, *next_o, *flags_o;
    long long room;
    if (!PyArg_ParseTuple(args, "O!O!OnnOOnLpO", &ProgramType, &e.p, &TableType, &e.t, &states_o,
                          &e.start, &e.stop, &div_o, &next_o, &e.next_pos, &room, &e.inserting,
                          &flags_o))
        return NULL;
    if (room < 0 || room > e.t->grow_at) {
        PyErr_SetString(PyExc_ValueError, "expand_shared: room out of range");
        return NULL;
    }
    e.shared = 1;
    e.room = room;
    e.parts = 1;
    return run_expansion(&e, states_o, div_o, next_o, Py_None, Py_None, flags_o);
}

/* owners(keys, words, parts, mask, to): to[i] = the partition that owns row i of keys */
static PyObject *native_owners(PyObject *mod, PyObject *args)
{
    (void)mod;
    PyObject *keys_o, *to_o;
    int k, parts;
    unsigned long long mask;
    if (!PyArg_ParseTuple(args, "OiiKO", &keys_o, &k, &parts, &mask, &to_o))
        return NULL;
    if (k < 1 || k > MAX_WORDS || parts < 1 || parts > 255) {
        PyErr_SetString(PyExc_ValueError, "owners: words or parts out of range");
        return NULL;
    }
    Buf keys, to;
    Py_ssize_t n;
    if (get_rows_and_flags(keys_o, to_o, k, "owners: to", &keys, &to, &n) < 0)
        return NULL;
    const uint64_t *kp = keys.view.buf;
    uint8_t *tp = to.view.buf;
    for (Py_ssize_t i = 0; i < n; i++)
        tp[i] = (uint8_t)owner_of_state(kp + i * k, hash_key(kp + i * k, k), (uint64_t)mask, parts);
    drop_buf(&keys);
    drop_buf(&to);
    Py_RETURN_NONE;
}

/* Whether state s is too far from target to be its predecessor. A rule changes its groups alone
 * (its driver's and its slots': max_slots + 1 at most) and the node field, so a predecessor
 * differs from the target in no more groups; most states of a level differ in many more, and are
 * not expanded (the path of a counterexample then takes a fraction of a search's time). */
static inline int too_far(const ProgramObject *p, const uint64_t *s, const uint64_t *target)
{
    int differ = 0;
    for (int u = 0; u < p->num_used; u++) {
        const int64_t g = p->used_groups[u];
        const int64_t w = p->group_word[g];
        uint64_t x = s[w] ^ target[w];
        if (w == p->node_word)
            x &= ~(p->node_mask << p->node_shift);
        if (((x >> p->group_shift[g]) & p->group_mask[g]) && ++differ > p->max_slots + 1)
            return 1;
    }
    return 0;
}

/* The pairs of states whose followed successor is target: (index, rule) appended to *found (n
 * of cap, grown with realloc). Runs without the GIL; returns -1 when memory runs out. */
static int find_predecessors(ProgramObject *p, const uint64_t *sp, Py_ssize_t n_states,
                             const uint64_t *tg, int64_t **found, Py_ssize_t *n_found, Py_ssize_t *cap)
{
    const int k = p->k;
    for (Py_ssize_t j = 0; j < n_states; j++) {
        const uint64_t *s = sp + j * k;
        if ((!p->trivial && p->num_nodes > 0 && p->divergent[node_of(p, s)]) || too_far(p, s, tg))
            continue;
        read_joint(p, s);
        if (program_scratch(p, candidates(p) + 1) < 0)
            return -1;
        int omega = 0;
        Py_ssize_t n = generate(p, s, p->succ, p->rule, &omega);
        int64_t bad_rule;
        judge(p, s, n, p->succ, p->rule, p->follow, omega, 0, &bad_rule);
        for (Py_ssize_t q = 0; q < n; q++) {
            if (!p->follow[q] || memcmp(p->succ + q * k, tg, (size_t)k * 8) != 0)
                continue;
            if (*n_found == *cap) {
                Py_ssize_t more = *cap ? 2 * *cap : 16;
                int64_t *grown = realloc(*found, (size_t)more * 2 * sizeof(int64_t));
                if (!grown)
                    return -1;
                *found = grown;
                *cap = more;
            }
            (*found)[2 * *n_found] = j;
            (*found)[2 * *n_found + 1] = p->rule[q];
            (*n_found)++;
        }
    }
    return 0;
}

/* predecessors(program, states, target) -> [(index, rule), ...]: the pairs of these states whose
 * followed successor is target (the node field replaced as the search replaces it). Without the
 * GIL: threads ask for the parts of a level at once, each with its own program. */
static PyObject *native_predecessors(PyObject *mod, PyObject *args)
{
    (void)mod;
    ProgramObject *p;
    PyObject *states_o, *target_o;
    if (!PyArg_ParseTuple(args, "O!OO", &ProgramType, &p, &states_o, &target_o))
        return NULL;
    const int k = p->k;
    Buf states, target;
    target.held = 0;
    if (get_buf(states_o, &states, 8, 0, "states") < 0 ||
        get_buf(target_o, &target, 8, 0, "target") < 0 || buf_items(&target) != k) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "predecessors: the target has the wrong size");
        drop_buf(&states);
        drop_buf(&target);
        return NULL;
    }
    int64_t *found = NULL;
    Py_ssize_t n_found = 0, cap = 0;
    int failed;
    Py_BEGIN_ALLOW_THREADS
    failed = find_predecessors(p, states.view.buf, buf_items(&states) / k, target.view.buf, &found,
                               &n_found, &cap);
    Py_END_ALLOW_THREADS
    drop_buf(&states);
    drop_buf(&target);
    PyObject *out = failed ? PyErr_NoMemory() : PyList_New(n_found);
    for (Py_ssize_t i = 0; out && i < n_found; i++) {
        PyObject *pair = Py_BuildValue("nL", (Py_ssize_t)found[2 * i], (long long)found[2 * i + 1]);
        if (!pair)
            Py_CLEAR(out);
        else
            PyList_SET_ITEM(out, i, pair);
    }
    free(found);
    return out;
}

/* unseen(part, near, words, keep): keep[i] = 0 for each row i of part that is a row of near. Both
 * are sorted and distinct, as numpy orders them (cspotlp.csp.external.keys): one word as a
 * number, several as bytes. One pass over both (a merge), where a binary search per row would
 * wait for memory at each step. */
static PyObject *native_unseen(PyObject *mod, PyObject *args)
{
    (void)mod;
    PyObject *part_o, *near_o, *keep_o;
    int k;
    if (!PyArg_ParseTuple(args, "OOiO", &part_o, &near_o, &k, &keep_o))
        return NULL;
    if (k < 1 || k > MAX_WORDS) {
        PyErr_SetString(PyExc_ValueError, "unseen: words out of range");
        return NULL;
    }
    Buf part, near, keep;
    Py_ssize_t n;
    if (get_rows_and_flags(part_o, keep_o, k, "unseen: keep", &part, &keep, &n) < 0)
        return NULL;
    if (get_buf(near_o, &near, 8, 0, "near") < 0) {
        drop_buf(&part);
        drop_buf(&keep);
        return NULL;
    }
    const uint64_t *pp = part.view.buf, *np_ = near.view.buf;
    uint8_t *kp = keep.view.buf;
    const Py_ssize_t m = buf_items(&near) / k;
    const size_t bytes = (size_t)k * 8;
    Py_ssize_t j = 0;
    for (Py_ssize_t i = 0; i < n && j < m; i++) {
        const uint64_t *a = pp + i * k;
        int c = 1;
        if (k == 1) {
            while (j < m && np_[j] < a[0])
                j++;
            c = j < m && np_[j] == a[0] ? 0 : 1;
        } else {
            while (j < m && (c = memcmp(np_ + j * k, a, bytes)) < 0)
                j++;
        }
        if (j < m && c == 0)
            kp[i] = 0;
    }
    drop_buf(&part);
    drop_buf(&near);
    drop_buf(&keep);
    Py_RETURN_NONE;
}

static PyMethodDef native_methods[] = {
    {"expand", native_expand, METH_VARARGS,
     "expand(program, table, states, start, stop, diverges, next, next_pos, limit, inserting, "
     "parts, me, out, to, out_pos) -> (position, code, limited, transitions, best, "
     "best_priority, need, inserting, next_pos, out_pos, added)"},
    {"expand_shared", native_expand_shared, METH_VARARGS,
     "expand_shared(program, table, states, start, stop, diverges, next, next_pos, room, "
     "inserting, flags) -> as expand(): one of several threads sharing the table, adding at "
     "most room states, stopping (PAUSED) at the next state once flags[0] is set; a violation "
     "sets flags[1], after which no thread stores more"},
    {"owners", native_owners, METH_VARARGS, "owners(keys, words, parts, mask, to)"},
    {"unseen", native_unseen, METH_VARARGS, "unseen(part, near, words, keep)"},
    {"predecessors", native_predecessors, METH_VARARGS,
     "predecessors(program, states, target) -> [(index, rule)]"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef native_module = {
    PyModuleDef_HEAD_INIT, "_native",
    "The engine's inner loop in C (see cspotlp.csp.levels).", -1, native_methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__native(void)
{
    if (PyType_Ready(&TableType) < 0 || PyType_Ready(&ProgramType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&native_module);
    if (!m)
        return NULL;
    Py_INCREF(&TableType);
    Py_INCREF(&ProgramType);
    if (PyModule_AddObject(m, "Table", (PyObject *)&TableType) < 0 ||
        PyModule_AddObject(m, "Program", (PyObject *)&ProgramType) < 0 ||
        PyModule_AddIntConstant(m, "ABI_VERSION", ABI_VERSION) < 0 ||
        PyModule_AddIntConstant(m, "MAX_LOAD_PERCENT", (long)(MAX_LOAD * 100)) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
