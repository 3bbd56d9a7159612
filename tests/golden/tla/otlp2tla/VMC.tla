------------------------------ MODULE VMC ------------------------------
\* CSP process VMC as an explicit labelled transition system (cspotlp csp2tla).
\* 6 states, 9 transitions, 7 events (tau and tick included).
\* Event labels: the CSP event name, percent-encoded to ASCII (%XX = a UTF-8 byte);
\* %tau is the internal event, %tick termination, %none no event yet.
EXTENDS Naturals

VARIABLES state, event
vars == <<state, event>>

NoEvent == "%none"

\* Events[k + 1] is the label of LTS event number k (0 is tau, 1 is tick).
Events == <<
    "%tau",  \* 0
    "%tick",  \* 1
    "in2p",  \* 2
    "in1p",  \* 3
    "large",  \* 4
    "small",  \* 5
    "out1p"  \* 6
>>
Label(k) == Events[k + 1]
EventLabels == {Events[i] : i \in DOMAIN Events} \cup {NoEvent}

NumStates == 6
StateNumbers == 0..(NumStates - 1)

\* Succ[s + 1] lists the transitions of LTS state s as <<event number, target state>>.
Succ == <<
    << <<2, 1>>, <<3, 2>> >>,  \* 0
    << <<4, 0>>, <<5, 3>> >>,  \* 1
    << <<5, 0>>, <<3, 4>> >>,  \* 2
    << <<6, 0>> >>,  \* 3
    << <<4, 0>>, <<3, 5>> >>,  \* 4
    << >>  \* 5
>>

\* States of the terminated process (after tick): they stutter, so they are no deadlock.
TerminatedStates == {}

\* Step along the k-th transition of state s.
Fire(s, k) == /\ state' = Succ[s + 1][k][2]
              /\ event' = Label(Succ[s + 1][k][1])

Init == /\ state = 0
        /\ event = NoEvent

Terminated == /\ state \in TerminatedStates
              /\ UNCHANGED vars

Next == \/ \E k \in DOMAIN Succ[state + 1] : Fire(state, k)
        \/ Terminated

Spec == Init /\ [][Next]_vars

TypeOK == /\ state \in StateNumbers
          /\ event \in EventLabels

\* The states reachable from the states S by tau steps alone (S included).
TauStep(S) == UNION {{Succ[s + 1][k][2] : k \in {j \in DOMAIN Succ[s + 1] :
                                                   Succ[s + 1][j][1] = 0}} : s \in S}
RECURSIVE TauClosure(_)
TauClosure(S) == LET T == S \cup TauStep(S) IN IF T = S THEN S ELSE TauClosure(T)
=============================================================================
