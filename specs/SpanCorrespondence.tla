------------------------- MODULE SpanCorrespondence -------------------------
\* The trace <-> span-forest correspondence of cspotlp over bounded span ids: the definitions of
\* docs/theory.md (and of cspotlp.mapping and the Coq development in proofs/) in TLA+, and the
\* theorems T1-T4 as predicates. CorrespondenceTraces and CorrespondenceForests generate every
\* WF trace and every valid forest within a bound and check these predicates as invariants.
\*
\* Differences of representation, none of meaning:
\*   - span ids are 1..K and 0 is the parent of a root (bottom); times are positive and 0 is the
\*     end of an open span; "none" is the status of an open span;
\*   - payloads are left out: a payload travels through Phi and Psi exactly like the name it sits
\*     beside, so names (and statuses and link targets) exercise the same paths;
\*   - list positions (of a mark or link in its span's list) are 1-based, as TLA+ sequences.
EXTENDS Naturals, Sequences, FiniteSets

CONSTANTS
    K,          \* span ids are 1..K
    Names,      \* span names
    MarkNames,  \* names of marks (OTLP span events)
    Targets,    \* link targets (span contexts)
    Statuses    \* end statuses (strings other than "none")

ASSUME K \in Nat /\ "none" \notin Statuses

SpanIds == 1..K
Root == 0       \* the parent of a root span
Open == 0       \* the end time of a span that has not ended
NoStatus == "none"

-----------------------------------------------------------------------------
\* Span vocabulary: begin(s, p, n), end(s, st), mark(s, n), link(s, g).

Begin(s, p, n) == [kind |-> "begin", span |-> s, parent |-> p, name |-> n]
End(s, st) == [kind |-> "end", span |-> s, status |-> st]
Mark(s, n) == [kind |-> "mark", span |-> s, name |-> n]
Link(s, g) == [kind |-> "link", span |-> s, target |-> g]

-----------------------------------------------------------------------------
\* Well-formed traces (W1-W4). Event i of t is judged by the events before it.

BegunBefore(t, s, i) == \E j \in 1..(i - 1) : t[j].kind = "begin" /\ t[j].span = s
EndedBefore(t, s, i) == \E j \in 1..(i - 1) : t[j].kind = "end" /\ t[j].span = s
OpenAt(t, s, i) == BegunBefore(t, s, i) /\ ~EndedBefore(t, s, i)

WFAt(t, i) ==
    LET ev == t[i] IN
    CASE ev.kind = "begin" ->
            /\ ~BegunBefore(t, ev.span, i)                    \* W1
            /\ (ev.parent = Root \/ OpenAt(t, ev.parent, i))  \* W3
      [] ev.kind = "end" ->
            /\ BegunBefore(t, ev.span, i)                     \* W2
            /\ ~EndedBefore(t, ev.span, i)
      [] OTHER ->
            OpenAt(t, ev.span, i)                             \* W4

IsWF(t) == \A i \in 1..Len(t) : WFAt(t, i)

-----------------------------------------------------------------------------
\* Span forests: functions from span ids to records
\*   [parent, name, start, end, marks, links, status]
\* where marks is a sequence of <<time, name>> and links a sequence of <<time, target>>.

\* The span s followed n times up its parent chain (stopping at the root or an absent span).
RECURSIVE Up(_, _, _)
Up(F, s, n) == IF n = 0 \/ s = Root \/ s \notin DOMAIN F THEN s ELSE Up(F, F[s].parent, n - 1)

\* Distance to the root (for a valid forest).
RECURSIVE Depth(_, _)
Depth(F, s) == IF F[s].parent = Root THEN 0 ELSE 1 + Depth(F, F[s].parent)

Within(r, time) == r.start <= time /\ (r.end = Open \/ time <= r.end)

ValidForest(F) ==
    \A s \in DOMAIN F :
        LET r == F[s] IN
        /\ (r.parent = Root \/ r.parent \in DOMAIN F)                   \* V1
        /\ Up(F, s, Cardinality(DOMAIN F)) = Root                        \* V2
        /\ (r.parent # Root => Within(F[r.parent], r.start))             \* V3
        /\ (r.end = Open \/ r.start <= r.end)                            \* V4
        /\ \A k \in DOMAIN r.marks : Within(r, r.marks[k][1])            \* V5
        /\ \A k \in DOMAIN r.links : Within(r, r.links[k][1])
        /\ (r.end = Open => r.status = NoStatus)                         \* V6

-----------------------------------------------------------------------------
\* Occurrences and Psi's order. An occurrence is its sort key
\*   <<time, class, depth for begins else 0, span id, list position>>
\* with class begin = 0 < mark = 1 < link = 2 < end = 3 (list position 0 for begins and ends).
\* Keys are distinct, so they identify the occurrences.

ClsBegin == 0
ClsMark == 1
ClsLink == 2
ClsEnd == 3

Occurrences(F) ==
    {<<F[s].start, ClsBegin, Depth(F, s), s, 0>> : s \in DOMAIN F}
    \cup {<<F[s].end, ClsEnd, 0, s, 0>> : s \in {x \in DOMAIN F : F[x].end # Open}}
    \cup UNION {{<<F[s].marks[k][1], ClsMark, 0, s, k>> : k \in DOMAIN F[s].marks} :
                s \in DOMAIN F}
    \cup UNION {{<<F[s].links[k][1], ClsLink, 0, s, k>> : k \in DOMAIN F[s].links} :
                s \in DOMAIN F}

\* Lexicographic order on keys.
KeyLess(a, b) == \E i \in 1..5 : a[i] < b[i] /\ \A j \in 1..(i - 1) : a[j] = b[j]

\* The 1-based rank of each occurrence in Psi's order.
Rank(F) ==
    LET O == Occurrences(F) IN [x \in O |-> Cardinality({y \in O : KeyLess(y, x)}) + 1]

\* The event of an occurrence.
EventOf(F, x) ==
    LET s == x[4] IN
    CASE x[2] = ClsBegin -> Begin(s, F[s].parent, F[s].name)
      [] x[2] = ClsMark -> Mark(s, F[s].marks[x[5]][2])
      [] x[2] = ClsLink -> Link(s, F[s].links[x[5]][2])
      [] OTHER -> End(s, F[s].status)

\* Psi(F): all occurrences as events, in Psi's order.
Psi(F) ==
    LET O == Occurrences(F)
        R == Rank(F)
    IN [i \in 1..Cardinality(O) |-> EventOf(F, CHOOSE x \in O : R[x] = i)]

\* norm(F): every time replaced by its occurrence's rank; marks and links listed in that order.
Norm(F) ==
    LET R == Rank(F)
        \* The list field (marks or links, class cls) of span s, retimed and sorted.
        Retimed(s, field, cls) ==
            LET seq == F[s][field]
                n == Len(seq)
                rank == [p \in 1..n |-> R[<<seq[p][1], cls, 0, s, p>>]]
            IN [i \in 1..n |->
                    LET q == CHOOSE q0 \in 1..n : Cardinality({j \in 1..n : rank[j] < rank[q0]})
                                                  = i - 1
                    IN <<rank[q], seq[q][2]>>]
    IN [s \in DOMAIN F |->
            [F[s] EXCEPT !.start = R[<<F[s].start, ClsBegin, Depth(F, s), s, 0>>],
                         !.end = IF F[s].end = Open THEN Open ELSE R[<<F[s].end, ClsEnd, 0, s, 0>>],
                         !.marks = Retimed(s, "marks", ClsMark),
                         !.links = Retimed(s, "links", ClsLink)]]

\* Normalised: times exactly 1..m, one occurrence each, marks and links listed in time order.
IsNormalised(F) ==
    LET O == Occurrences(F) IN
    /\ {x[1] : x \in O} = 1..Cardinality(O)
    /\ \A s \in DOMAIN F :
        /\ \A i \in 1..(Len(F[s].marks) - 1) : F[s].marks[i][1] < F[s].marks[i + 1][1]
        /\ \A i \in 1..(Len(F[s].links) - 1) : F[s].links[i][1] < F[s].links[i + 1][1]

-----------------------------------------------------------------------------
\* Phi(t): span s starts at the index of its begin, ends at the index of its end (or is open);
\* marks and links at their indices, in trace order.

\* The elements of a finite set of integers in increasing order.
Sorted(S) == [i \in 1..Cardinality(S) |-> CHOOSE x \in S : Cardinality({y \in S : y < x}) = i - 1]

\* The indices of t's events of one kind about span s, in trace order.
Indices(t, kind, s) == Sorted({i \in 1..Len(t) : t[i].kind = kind /\ t[i].span = s})

Phi(t) ==
    LET begun == {t[i].span : i \in {j \in 1..Len(t) : t[j].kind = "begin"}} IN
    [s \in begun |->
        LET b == Indices(t, "begin", s)[1]
            ends == Indices(t, "end", s)
            e == IF DOMAIN ends = {} THEN Open ELSE ends[1]
            ms == Indices(t, "mark", s)
            ls == Indices(t, "link", s)
        IN [parent |-> t[b].parent, name |-> t[b].name, start |-> b, end |-> e,
            marks |-> [k \in DOMAIN ms |-> <<ms[k], t[ms[k]].name>>],
            links |-> [k \in DOMAIN ls |-> <<ls[k], t[ls[k]].target>>],
            status |-> IF e = Open THEN NoStatus ELSE t[e].status]]

-----------------------------------------------------------------------------
\* The theorems (F a valid forest, t a WF trace).

T1(F) == IsWF(Psi(F))              \* Psi(F) is WF
T2(F) == Phi(Psi(F)) = Norm(F)     \* Phi(Psi(F)) = norm(F)
T3(t) == Psi(Phi(t)) = t           \* Psi(Phi(t)) = t
T4(t) == Norm(Phi(t)) = Phi(t)     \* norm(Phi(t)) = Phi(t)

=============================================================================
