(** * Correspondence: Φ (phi), Ψ (psi), norm, cut and prefix (docs/theory.md; Python
    [cspotlp/mapping/correspondence.py])

    Φ(t) gives span [s] the index (from 1) of its [begin] as start, of its [end] as end (open if
    none), and marks/links their indices. Ψ(F) lists every occurrence of [F] sorted by
    [occurrence_key] = (time, class, depth for begins else 0, span id, position in the span's mark
    or link list), with classes begin = 0, mark = 1, link = 2, end = 3. norm(F) replaces every time
    by the rank (from 1) of its occurrence in Ψ's order. *)

From Coq Require Import List Arith Bool Lia Sorted Permutation.
From Cspotlp Require Import Prelim Vocabulary Forest.
Import ListNotations.

Definition BEGIN : nat := 0.
Definition MARK : nat := 1.
Definition LINK : nat := 2.
Definition END : nat := 3.

(** Python's [occurrence_key]: compared lexicographically, like a Python tuple. *)
Definition occurrence_key (time cls depth s seq : nat) : list nat :=
  [time; cls; if cls =? BEGIN then depth else 0; s; seq].

(** Python's [Occurrence]: one time-stamped occurrence of a forest, with its sort key. *)
Record occurrence (Name Payload : Type) : Type := mkOcc {
  key : list nat;
  occ_event : event Name Payload
}.

Arguments mkOcc {Name Payload}.
Arguments key {Name Payload}.
Arguments occ_event {Name Payload}.

Section Correspondence.
  Context {Name Payload : Type}.
  Local Notation event := (event Name Payload).
  Local Notation trace := (list event).
  Local Notation span := (span Name Payload).
  Local Notation forest := (list span).
  Local Notation occurrence := (occurrence Name Payload).

  (** ** Φ: a fold over [enumerate(trace, start=1)], like Python's [phi]. *)

  Definition set_end (i : nat) (st : Payload) (r : span) : span :=
    mkSpan (sid r) (parent r) (name r) (payload r) (start r) (Some (i, st)) (marks r) (links r).

  Definition add_mark (i : nat) (n : Name) (a : Payload) (r : span) : span :=
    mkSpan (sid r) (parent r) (name r) (payload r) (start r) (fin r)
      (marks r ++ [(i, n, a)]) (links r).

  Definition add_link (i : nat) (tg a : Payload) (r : span) : span :=
    mkSpan (sid r) (parent r) (name r) (payload r) (start r) (fin r)
      (marks r) (links r ++ [(i, tg, a)]).

  Definition phi_step (F : forest) (ie : nat * event) : forest :=
    let (i, e) := ie in
    match e with
    | Begin s p n a => put (mkSpan s p n a i None [] []) F
    | End s st => modify s (set_end i st) F
    | Mark s n a => modify s (add_mark i n a) F
    | Link s tg a => modify s (add_link i tg a) F
    end.

  Definition phi (t : trace) : forest := fold_left phi_step (indexed 1 t) [].

  (** ** Ψ: the occurrences of a forest, sorted by their keys. *)

  Definition begin_occurrence (d : nat) (r : span) : occurrence :=
    mkOcc (occurrence_key (start r) BEGIN d (sid r) 0)
      (Begin (sid r) (parent r) (name r) (payload r)).

  Definition mark_occurrence (s : nat) (im : nat * (nat * Name * Payload)) : occurrence :=
    let '(i, (tm, n, a)) := im in mkOcc (occurrence_key tm MARK 0 s i) (Mark s n a).

  Definition link_occurrence (s : nat) (ik : nat * (nat * Payload * Payload)) : occurrence :=
    let '(i, (tm, tg, a)) := ik in mkOcc (occurrence_key tm LINK 0 s i) (Link s tg a).

  Definition end_occurrences (r : span) : list occurrence :=
    match fin r with
    | Some (e, st) => [mkOcc (occurrence_key e END 0 (sid r) 0) (End (sid r) st)]
    | None => []
    end.

  (** The occurrences of one span, whose depth is [d]. *)
  Definition span_occurrences (d : nat) (r : span) : list occurrence :=
    begin_occurrence d r
    :: map (mark_occurrence (sid r)) (indexed 0 (marks r))
    ++ map (link_occurrence (sid r)) (indexed 0 (links r))
    ++ end_occurrences r.

  Definition all_occurrences (F : forest) : list occurrence :=
    flat_map (fun r => span_occurrences (depth F r) r) F.

  Definition occ_leb (o1 o2 : occurrence) : bool := lex_leb (key o1) (key o2).

  (** Python's [occurrences]: every occurrence of [F], sorted in Ψ's order. *)
  Definition occurrences (F : forest) : list occurrence := isort occ_leb (all_occurrences F).

  Definition psi (F : forest) : trace := map occ_event (occurrences F).

  (** ** norm: times replaced by ranks in Ψ's order. *)

  (** Python's rank table is keyed by (class, span id, list position) = key[1], key[3], key[4]. *)
  Definition same_ident (cls s seq : nat) (o : occurrence) : bool :=
    (nth 1 (key o) 0 =? cls) && (nth 3 (key o) 0 =? s) && (nth 4 (key o) 0 =? seq).

  (** The rank (from 1) of the occurrence (cls, s, seq) in [L]. *)
  Definition rank (L : list occurrence) (cls s seq : nat) : nat :=
    position (same_ident cls s seq) L 1.

  Definition time_leb {X Y : Type} (m1 m2 : nat * X * Y) : bool := time_of m1 <=? time_of m2.

  Definition norm_mark (L : list occurrence) (s : nat) (im : nat * (nat * Name * Payload))
    : nat * Name * Payload :=
    let '(i, (_, n, a)) := im in (rank L MARK s i, n, a).

  Definition norm_link (L : list occurrence) (s : nat) (ik : nat * (nat * Payload * Payload))
    : nat * Payload * Payload :=
    let '(i, (_, tg, a)) := ik in (rank L LINK s i, tg, a).

  Definition norm_span (L : list occurrence) (r : span) : span :=
    mkSpan (sid r) (parent r) (name r) (payload r) (rank L BEGIN (sid r) 0)
      (match fin r with Some (_, st) => Some (rank L END (sid r) 0, st) | None => None end)
      (isort time_leb (map (norm_mark L (sid r)) (indexed 0 (marks r))))
      (isort time_leb (map (norm_link L (sid r)) (indexed 0 (links r)))).

  Definition norm (F : forest) : forest := map (norm_span (occurrences F)) F.

  (** ** cut and prefix *)

  (** The span as seen at time [i]: not yet ended (and without status) if it ends after [i]. *)
  Definition cut_span (i : nat) (r : span) : span :=
    mkSpan (sid r) (parent r) (name r) (payload r) (start r)
      (match fin r with Some (e, st) => if e <=? i then Some (e, st) else None | None => None end)
      (filter (fun m => time_of m <=? i) (marks r))
      (filter (fun k => time_of k <=? i) (links r)).

  (** cut_i(F): the spans begun by time [i], as seen at time [i]. *)
  Definition cut (F : forest) (i : nat) : forest :=
    map (cut_span i) (filter (fun r => start r <=? i) F).

  (** t↾i: the first [i] events. *)
  Definition prefix (t : trace) (i : nat) : trace := firstn i t.
End Correspondence.
