------------------------ MODULE CorrespondenceTraces ------------------------
\* Every WF trace over the bounded span vocabulary, one event at a time, with the theorems about
\* traces as invariants: T3 Psi(Phi(t)) = t and T4 norm(Phi(t)) = Phi(t), and that Phi(t) is a
\* valid, normalised forest. A state is a trace; TLC reaches every WF trace of length <= MaxLen
\* (each of its prefixes is WF, so the step-by-step construction misses none).
\* The bounds are in CorrespondenceTraces_K1.cfg, _K2.cfg, _K3.cfg (CHECK_DEADLOCK FALSE: a trace
\* of length MaxLen has no successor by design).
EXTENDS SpanCorrespondence

CONSTANT MaxLen

VARIABLE trace

Init == trace = << >>

\* Append the event ev if the longer trace is still WF.
Extend(ev) == /\ Len(trace) < MaxLen
              /\ WFAt(Append(trace, ev), Len(trace) + 1)
              /\ trace' = Append(trace, ev)

Next == \/ \E s \in SpanIds, p \in SpanIds \cup {Root}, n \in Names : Extend(Begin(s, p, n))
        \/ \E s \in SpanIds, st \in Statuses : Extend(End(s, st))
        \/ \E s \in SpanIds, n \in MarkNames : Extend(Mark(s, n))
        \/ \E s \in SpanIds, g \in Targets : Extend(Link(s, g))

Spec == Init /\ [][Next]_trace

TraceIsWF == IsWF(trace)
PhiIsNormalisedForest == ValidForest(Phi(trace)) /\ IsNormalised(Phi(trace))
T3Holds == T3(trace)
T4Holds == T4(trace)

=============================================================================
