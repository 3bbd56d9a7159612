(** * Forest: span records and valid forests (docs/theory.md; Python
    [cspotlp/mapping/forest.py])

    A forest is a list of span records kept in increasing span-id order — the canonical form of
    Python's [Forest] mapping (which also iterates in id order), so that two forests are equal as
    lists exactly when they are equal as mappings from span id to record. *)

From Coq Require Import List Arith Bool Lia Sorted Permutation.
From Cspotlp Require Import Prelim Vocabulary.
Import ListNotations.

(** Python's [SpanRecord]. [fin] is Python's pair ([end], [status]): [None] for an open span (whose
    status is None in Python), [Some (e, st)] for a span that ended at time [e] with status [st].
    Marks are (time, name, payload), links are (time, target, payload). *)
Record span (Name Payload : Type) : Type := mkSpan {
  sid : nat;
  parent : option nat;
  name : Name;
  payload : Payload;
  start : nat;
  fin : option (nat * Payload);
  marks : list (nat * Name * Payload);
  links : list (nat * Payload * Payload)
}.

Arguments mkSpan {Name Payload}.
Arguments sid {Name Payload}.
Arguments parent {Name Payload}.
Arguments name {Name Payload}.
Arguments payload {Name Payload}.
Arguments start {Name Payload}.
Arguments fin {Name Payload}.
Arguments marks {Name Payload}.
Arguments links {Name Payload}.

Definition forest (Name Payload : Type) : Type := list (span Name Payload).

(** The time of a mark or a link. *)
Definition time_of {X Y : Type} (m : nat * X * Y) : nat := fst (fst m).

Section Forest.
  Context {Name Payload : Type}.
  Local Notation span := (span Name Payload).
  Local Notation forest := (list span).

  (** [forest[s]] in Python. *)
  Definition lookup (s : nat) (F : forest) : option span := find (fun r => sid r =? s) F.

  Definition ids (F : forest) : list nat := map sid F.

  (** Time [tm] lies within the interval of [r] (an open span's interval has no end). *)
  Definition in_interval (r : span) (tm : nat) : Prop :=
    start r <= tm /\ (forall e st, fin r = Some (e, st) -> tm <= e).

  (** [up k F p]: where [k] steps up the parent links from [p] lead; [None] once the walk has
      left the forest (reached a root, or a parent that is not in [F]). *)
  Fixpoint up (fuel : nat) (F : forest) (p : option nat) : option nat :=
    match fuel, p with
    | 0, _ => p
    | S _, None => None
    | S k, Some q => match lookup q F with None => None | Some r => up k F (parent r) end
    end.

  (** No span is its own ancestor: walking up from any span leaves the forest within [|F| + 1]
      steps (a walk that stays longer revisits a span, i.e. there is a cycle). *)
  Definition acyclic (F : forest) : Prop :=
    forall r, In r F -> up (S (length F)) F (Some (sid r)) = None.

  (** Python's [depths]: the number of ancestors (roots have depth 0). *)
  Fixpoint depth_from (fuel : nat) (F : forest) (p : option nat) : nat :=
    match fuel, p with
    | S k, Some q => match lookup q F with Some r => S (depth_from k F (parent r)) | None => 0 end
    | _, _ => 0
    end.

  Definition depth (F : forest) (r : span) : nat := depth_from (S (length F)) F (parent r).

  (** The per-span conditions of Python's [forest_violations]. *)
  Definition span_ok (F : forest) (r : span) : Prop :=
    (forall e st, fin r = Some (e, st) -> start r <= e)
    /\ (forall m, In m (marks r) -> in_interval r (time_of m))
    /\ (forall k, In k (links r) -> in_interval r (time_of k))
    /\ (forall q, parent r = Some q -> exists rq, lookup q F = Some rq /\ in_interval rq (start r)).

  (** A valid forest: ids strictly increasing (unique ids, canonical order), every span
      [span_ok] (no dangling parent, child starts within its parent, marks and links within the
      span), and no cycles. *)
  Definition valid (F : forest) : Prop :=
    StronglySorted lt (ids F) /\ (forall r, In r F -> span_ok F r) /\ acyclic F.

  (** Every time stamp of the forest, one per occurrence. *)
  Definition span_times (r : span) : list nat :=
    start r :: match fin r with Some (e, _) => [e] | None => [] end
    ++ map time_of (marks r) ++ map time_of (links r).

  Definition times (F : forest) : list nat := flat_map span_times F.

  (** Python's [is_normalised]: [sorted(times) == list(range(1, m + 1))]. *)
  Definition normalised (F : forest) : Prop :=
    Permutation (times F) (seq 1 (length (times F))).

  (** ** Updating a forest kept in id order (Python's [dict] assignment). *)

  Fixpoint put (r : span) (F : forest) : forest :=
    match F with
    | [] => [r]
    | r' :: F' =>
        if sid r <? sid r' then r :: F
        else if sid r =? sid r' then r :: F'
        else r' :: put r F'
    end.

  Definition modify (s : nat) (f : span -> span) (F : forest) : forest :=
    map (fun r => if sid r =? s then f r else r) F.

  (** ** Lookup *)

  Lemma lookup_in s F r : lookup s F = Some r -> In r F /\ sid r = s.
  Proof.
    unfold lookup. intros H. apply find_some in H as [H1 H2].
    apply Nat.eqb_eq in H2. auto.
  Qed.

  Lemma lookup_none s F r : lookup s F = None -> In r F -> sid r <> s.
  Proof.
    unfold lookup. intros H Hr E. apply (find_none _ _ H) in Hr.
    rewrite E, Nat.eqb_refl in Hr. discriminate.
  Qed.

  Lemma in_lookup F r : StronglySorted lt (ids F) -> In r F -> lookup (sid r) F = Some r.
  Proof.
    intros S Hr. destruct (lookup (sid r) F) as [r'|] eqn:E.
    - apply lookup_in in E as [Hr' E]. f_equal. eapply sorted_key_unique; eauto.
    - exfalso. exact (lookup_none _ _ _ E Hr eq_refl).
  Qed.

  Lemma lookup_exists s F r : In r F -> sid r = s -> exists r', lookup s F = Some r'.
  Proof.
    intros Hr E. destruct (lookup s F) eqn:L; eauto.
    exfalso. exact (lookup_none _ _ _ L Hr E).
  Qed.

  Lemma lookup_iff F s r :
    StronglySorted lt (ids F) -> lookup s F = Some r <-> In r F /\ sid r = s.
  Proof.
    intros S. split; [apply lookup_in|]. intros [Hr <-]. now apply in_lookup.
  Qed.

  (** Forests in id order are equal when every id looks up the same record. *)
  Lemma forest_ext F1 F2 :
    StronglySorted lt (ids F1) -> StronglySorted lt (ids F2) ->
    (forall s, lookup s F1 = lookup s F2) -> F1 = F2.
  Proof.
    intros S1 S2 H. apply (sorted_ext sid); auto. intros r. split; intros Hr.
    - apply (in_lookup F1 r S1) in Hr. rewrite H in Hr. now apply lookup_in in Hr.
    - apply (in_lookup F2 r S2) in Hr. rewrite <- H in Hr. now apply lookup_in in Hr.
  Qed.

  Lemma lookup_map (g : span -> span) s F :
    (forall r, sid (g r) = sid r) -> lookup s (map g F) = option_map g (lookup s F).
  Proof.
    intros Hg. unfold lookup. induction F as [|r F IH]; simpl; auto.
    rewrite Hg. destruct (sid r =? s); auto.
  Qed.

  Lemma lookup_put r s F : lookup s (put r F) = if sid r =? s then Some r else lookup s F.
  Proof.
    unfold lookup. induction F as [|r' F IH]; simpl.
    - destruct (sid r =? s); auto.
    - destruct (sid r <? sid r') eqn:Elt; simpl; [destruct (sid r =? s); auto|].
      destruct (sid r =? sid r') eqn:Eeq; simpl.
      + apply Nat.eqb_eq in Eeq. rewrite Eeq. destruct (sid r' =? s); auto.
      + destruct (sid r' =? s) eqn:E'; [|exact IH].
        apply Nat.eqb_eq in E'. subst s. now rewrite Eeq.
  Qed.

  Lemma lookup_modify s s' f F :
    (forall r, sid (f r) = sid r) ->
    lookup s' (modify s f F) = if s =? s' then option_map f (lookup s F) else lookup s' F.
  Proof.
    intros Hf. unfold lookup, modify. induction F as [|r F IH]; simpl.
    - destruct (s =? s'); auto.
    - destruct (sid r =? s) eqn:E; simpl.
      + apply Nat.eqb_eq in E. subst s. rewrite Hf. destruct (sid r =? s'); auto.
      + rewrite IH. destruct (s =? s') eqn:E'; [|reflexivity].
        apply Nat.eqb_eq in E'. subst s'. now rewrite E.
  Qed.

  Lemma ids_modify s f F : (forall r, sid (f r) = sid r) -> ids (modify s f F) = ids F.
  Proof.
    intros Hf. unfold ids, modify. rewrite map_map. apply map_ext. intros r.
    destruct (sid r =? s); auto.
  Qed.

  Lemma in_ids_put r F x : In x (ids (put r F)) -> x = sid r \/ In x (ids F).
  Proof.
    unfold ids. induction F as [|r' F IH]; simpl; [intuition|].
    destruct (sid r <? sid r'); simpl; [intuition|].
    destruct (sid r =? sid r'); simpl; [intuition|].
    intros [H|H]; [intuition|]. apply IH in H. intuition.
  Qed.

  Lemma put_sorted r F : StronglySorted lt (ids F) -> StronglySorted lt (ids (put r F)).
  Proof.
    induction F as [|r' F IH]; simpl; intros S.
    - repeat constructor.
    - apply StronglySorted_inv in S as [S Fa]. rewrite Forall_forall in Fa.
      destruct (sid r <? sid r') eqn:Elt; simpl.
      + apply Nat.ltb_lt in Elt. constructor; [constructor; auto; now apply Forall_forall|].
        constructor; [lia|]. apply Forall_forall. intros x Hx. specialize (Fa x Hx). lia.
      + destruct (sid r =? sid r') eqn:Eeq; simpl.
        * apply Nat.eqb_eq in Eeq. rewrite Eeq. constructor; auto. now apply Forall_forall.
        * apply Nat.ltb_ge in Elt. apply Nat.eqb_neq in Eeq.
          constructor; auto. apply Forall_forall. intros x Hx.
          apply in_ids_put in Hx as [->|Hx]; [lia|auto].
  Qed.

  (** ** Walks up the parent links *)

  Lemma up_none k F : up k F None = None.
  Proof. destruct k; reflexivity. Qed.

  Lemma up_mono k k' F p : up k F p = None -> k <= k' -> up k' F p = None.
  Proof.
    revert k' p; induction k as [|k IH]; intros k' p H Hle; simpl in H.
    - subst p. apply up_none.
    - destruct k' as [|k']; [lia|]. simpl. destruct p as [q|]; auto.
      destruct (lookup q F); auto. apply IH; auto. lia.
  Qed.

  Lemma depth_from_stable k k' F p :
    up k F p = None -> k <= k' -> depth_from k' F p = depth_from k F p.
  Proof.
    revert k' p; induction k as [|k IH]; intros k' p H Hle; simpl in H.
    - subst p. destruct k'; reflexivity.
    - destruct k' as [|k']; [lia|]. simpl. destruct p as [q|]; auto.
      destruct (lookup q F); auto. f_equal. apply IH; auto. lia.
  Qed.

  (** The depth of a child is one more than its parent's. *)
  Lemma depth_parent F r q rq :
    acyclic F -> In rq F -> parent r = Some q -> lookup q F = Some rq ->
    depth F r = S (depth F rq).
  Proof.
    intros A Hrq Hp Hl. unfold depth. rewrite Hp.
    change (depth_from (S (length F)) F (Some q)) with
      (match lookup q F with Some r => S (depth_from (length F) F (parent r)) | None => 0 end).
    rewrite Hl. f_equal.
    assert (Hup : up (length F) F (parent rq) = None).
    { specialize (A rq Hrq). pose proof (lookup_in _ _ _ Hl) as [_ E]. rewrite E in A.
      simpl in A. now rewrite Hl in A. }
    symmetry. apply depth_from_stable; auto.
  Qed.

  (** A forest in which every parent is present and starts strictly earlier has no cycle. *)
  Lemma acyclic_of_parent_earlier F :
    (forall r q, In r F -> parent r = Some q ->
       exists rq, lookup q F = Some rq /\ start rq < start r) ->
    acyclic F.
  Proof.
    intros H.
    set (count := fun r : span => length (filter (fun x => start x <? start r) F)).
    assert (Hwalk : forall k s r, lookup s F = Some r -> count r < k -> up k F (Some s) = None).
    { induction k as [|k IH]; intros s r Hl Hc; [lia|]. simpl. rewrite Hl.
      destruct (parent r) as [q|] eqn:Hp; [|apply up_none].
      apply lookup_in in Hl as [Hr _]. destruct (H r q Hr Hp) as (rq & Hq & Hlt).
      apply (IH q rq Hq). enough (count rq < count r) by lia.
      apply (filter_length_lt _ _ F rq).
      - intros y _ Hy. apply Nat.ltb_lt in Hy. apply Nat.ltb_lt. lia.
      - now apply lookup_in in Hq.
      - apply Nat.ltb_ge. lia.
      - now apply Nat.ltb_lt. }
    intros r Hr. destruct (lookup_exists (sid r) F r Hr eq_refl) as [r' Hl].
    apply (Hwalk _ _ r' Hl).
    assert (count r' < length (filter (fun _ => true) F)).
    { apply (filter_length_lt _ _ F r').
      - auto.
      - now apply lookup_in in Hl.
      - apply Nat.ltb_ge. lia.
      - reflexivity. }
    assert (length (filter (fun _ : span => true) F) <= length F).
    { clear. induction F; simpl; lia. }
    lia.
  Qed.
End Forest.
