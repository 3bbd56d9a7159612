--------------------------- MODULE VMCTrace1 ---------------------------
\* Trace validation against the CSP model VMC (cspotlp otlp2tla),
\* after Cirstea, Kuppe, Merz et al., Validating Traces of Distributed Programs Against
\* TLA+ Specifications: the cursor l walks TraceLog; each step matches one log line to
\* tau* e (internal steps, then the logged event).
\* TLC checks the postcondition TraceAccepted (some behaviour matches the whole log).
\* Log 1: capture.jsonl, 3 events.
\* Run: java -cp tla2tools.jar tlc2.TLC -config VMCTrace1.cfg VMCTrace1.tla
EXTENDS VMC, Naturals, Sequences, TLC

\* Trace validation relies on TLC's breadth-first search (TraceAccepted below).
ASSUME TLCGet("config").mode = "bfs"

\* The log, one record per logged event (fields label, traceId, spanId, where).
TraceLog == <<
    [label |-> "in2p", traceId |-> "4bf92f3577b34da6a3ce929d0e0e4736", spanId |-> "00f067aa0ba902b7", where |-> "capture.jsonl:1"],  \* 1
    [label |-> "large", traceId |-> "4bf92f3577b34da6a3ce929d0e0e4736", spanId |-> "b7ad6b7169203331", where |-> "capture.jsonl:2"],  \* 2
    [label |-> "in1p", traceId |-> "4bf92f3577b34da6a3ce929d0e0e4736", spanId |-> "53995c3f42cd8ad8", where |-> "capture.jsonl:3"]  \* 3
>>

\* The cursor: the next log line to match.
VARIABLE l
TraceVars == <<state, event, l>>

TraceInit == /\ Init
             /\ l = 1

\* Match the event e: tau steps, then a transition labelled e.
MatchEvent(e) ==
    \E s \in TauClosure({state}) :
        \E k \in DOMAIN Succ[s + 1] :
            /\ Succ[s + 1][k][1] # 0
            /\ Label(Succ[s + 1][k][1]) = e
            /\ Fire(s, k)

TraceNext == /\ l <= Len(TraceLog)
             /\ MatchEvent(TraceLog[l].label)
             /\ l' = l + 1

TraceSpec == TraceInit /\ [][TraceNext]_TraceVars

\* Some behaviour matched every line iff breadth-first search reached depth Len + 1.
TraceAccepted ==
    LET d == TLCGet("stats").diameter IN
    IF d - 1 = Len(TraceLog) THEN TRUE
    ELSE Print(<<"Failed matching the trace to (a prefix of) a behavior:",
                 TraceLog[d], "log line", d>>, FALSE)
=============================================================================
