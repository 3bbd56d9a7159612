(** * CrossCheck: a concrete instance for running Φ, Ψ, norm and cut with [Compute]

    Names and payloads become naturals (the Python test interns its strings and payload values
    into numbers). The encoders flatten traces and forests into one [list nat], which is easy to
    read back from coqc's output (tests/unit/proofs/test_coq_matches_python.py):

    - option: [None] is 0, [Some x] is [x + 1];
    - event: begin [0; s; p; n; a], mark [1; s; n; a], link [2; s; target; a], end [3; s; status]
      (the class numbers of Ψ's key);
    - trace: its length, then its events;
    - span: [id; parent; name; payload; start], then [0] if open or [1; end; status], then the
      number of marks and each mark [time; name; payload], then the links likewise;
    - forest: its number of spans, then its spans in id order. *)

From Coq Require Import List.
From Cspotlp Require Import Vocabulary Forest Correspondence.
Import ListNotations.

Definition ev : Type := event nat nat.
Definition trace : Type := list ev.
Definition sp : Type := span nat nat.

Definition enc_opt (o : option nat) : nat := match o with None => 0 | Some x => S x end.

Definition enc_event (e : ev) : list nat :=
  match e with
  | Begin s p n a => [0; s; enc_opt p; n; a]
  | Mark s n a => [1; s; n; a]
  | Link s tg a => [2; s; tg; a]
  | End s st => [3; s; st]
  end.

Definition enc_trace (t : trace) : list nat := length t :: flat_map enc_event t.

Definition enc_timed (m : nat * nat * nat) : list nat :=
  let '(tm, x, a) := m in [tm; x; a].

Definition enc_span (r : sp) : list nat :=
  [sid r; enc_opt (parent r); name r; payload r; start r]
  ++ match fin r with None => [0] | Some (e, st) => [1; e; st] end
  ++ (length (marks r) :: flat_map enc_timed (marks r))
  ++ (length (links r) :: flat_map enc_timed (links r)).

Definition enc_forest (F : list sp) : list nat := length F :: flat_map enc_span F.

Definition enc_bool (b : bool) : list nat := if b then [1] else [0].
