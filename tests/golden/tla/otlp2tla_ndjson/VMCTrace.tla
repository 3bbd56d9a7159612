---------------------------- MODULE VMCTrace ----------------------------
\* Trace validation against the CSP model VMC (cspotlp otlp2tla),
\* after Cirstea, Kuppe, Merz et al., Validating Traces of Distributed Programs Against
\* TLA+ Specifications: the cursor l walks TraceLog; each step matches one log line to
\* tau* e (internal steps, then the logged event).
\* TLC checks the postcondition TraceAccepted (some behaviour matches the whole log).
\* The log is read from the file named by the environment variable JSON.
\* Needs the CommunityModules jar on the classpath (modules Json, IOUtils).
\* Run: JSON=VMCTrace1.ndjson java -cp tla2tools.jar:CommunityModules-deps.jar tlc2.TLC -config VMCTrace.cfg VMCTrace.tla
EXTENDS VMC, Naturals, Sequences, TLC, Json, IOUtils

\* Trace validation relies on TLC's breadth-first search (TraceAccepted below).
ASSUME TLCGet("config").mode = "bfs"

\* The log: one JSON object per line with fields label, traceId, spanId, where.
TraceFile == IF "JSON" \in DOMAIN IOEnv THEN IOEnv.JSON ELSE "VMCTrace1.ndjson"
TraceLog == TLCEval(ndJsonDeserialize(TraceFile))

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
