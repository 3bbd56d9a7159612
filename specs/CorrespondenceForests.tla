------------------------ MODULE CorrespondenceForests ------------------------
\* Every valid span forest within a bound (span ids 1..K, times 1..TMax, at most MaxMarks marks
\* and MaxLinks links in all), built one span or one mark or link at a time, with the theorems
\* about forests as invariants: T1 Psi(F) is WF and T2 Phi(Psi(F)) = norm(F), and that norm(F) is
\* a valid, normalised forest. Spans are added parent first, each within its parent's interval,
\* and marks and links within their span's; so every state is a valid forest and every valid
\* forest within the bound is reached (add its spans in parent-first order, then its marks and
\* links in list order). Times may tie and marks may be listed out of time order: exactly what
\* Psi's tie-break has to handle.
EXTENDS SpanCorrespondence

CONSTANTS TMax, MaxMarks, MaxLinks

VARIABLE forest

Times == 1..TMax

Init == forest = [s \in {} |-> 0]

AddSpan ==
    \E s \in SpanIds \ DOMAIN forest, p \in (DOMAIN forest) \cup {Root}, n \in Names,
       b \in Times, e \in Times \cup {Open}, st \in Statuses \cup {NoStatus} :
        /\ (e = Open) = (st = NoStatus)
        /\ (e = Open \/ b <= e)
        /\ (p # Root => Within(forest[p], b))
        /\ forest' = [x \in (DOMAIN forest) \cup {s} |->
                    IF x = s THEN [parent |-> p, name |-> n, start |-> b, end |-> e,
                                   marks |-> << >>, links |-> << >>, status |-> st]
                             ELSE forest[x]]

NumMarks == Cardinality(UNION {{<<s, k>> : k \in DOMAIN forest[s].marks} : s \in DOMAIN forest})
NumLinks == Cardinality(UNION {{<<s, k>> : k \in DOMAIN forest[s].links} : s \in DOMAIN forest})

AddMark ==
    \E s \in DOMAIN forest, time \in Times, n \in MarkNames :
        /\ NumMarks < MaxMarks
        /\ Within(forest[s], time)
        /\ forest' = [forest EXCEPT ![s].marks = Append(@, <<time, n>>)]

AddLink ==
    \E s \in DOMAIN forest, time \in Times, g \in Targets :
        /\ NumLinks < MaxLinks
        /\ Within(forest[s], time)
        /\ forest' = [forest EXCEPT ![s].links = Append(@, <<time, g>>)]

Next == AddSpan \/ AddMark \/ AddLink

Spec == Init /\ [][Next]_forest

ForestIsValid == ValidForest(forest)
NormIsNormalisedForest == ValidForest(Norm(forest)) /\ IsNormalised(Norm(forest))
T1Holds == T1(forest)
T2Holds == T2(forest)

=============================================================================
