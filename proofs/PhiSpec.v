(** * PhiSpec: what Φ computes, span by span

    For a WF trace, the record Φ(t) holds for span [s] is read off the trace directly: the index
    and contents of [s]'s begin, its end (if any), and its marks and links in trace order
    ([phi_spec]). Everything about Φ is proved from this description. *)

From Coq Require Import List Arith Bool Lia Sorted Permutation.
From Cspotlp Require Import Prelim Vocabulary Forest Correspondence.
Import ListNotations.

Section PhiSpec.
  Context {Name Payload : Type}.
  Local Notation event := (event Name Payload).
  Local Notation trace := (list event).
  Local Notation span := (span Name Payload).
  Local Notation forest := (list span).

  (** ** The events about span [s], with their indices *)

  Definition begin_info (s : nat) (ie : nat * event) : option (nat * option nat * Name * Payload) :=
    match ie with
    | (i, Begin s' p n a) => if s' =? s then Some (i, p, n, a) else None
    | _ => None
    end.

  Definition end_info (s : nat) (ie : nat * event) : option (nat * Payload) :=
    match ie with
    | (i, End s' st) => if s' =? s then Some (i, st) else None
    | _ => None
    end.

  Definition mark_info (s : nat) (ie : nat * event) : option (nat * Name * Payload) :=
    match ie with
    | (i, Mark s' n a) => if s' =? s then Some (i, n, a) else None
    | _ => None
    end.

  Definition link_info (s : nat) (ie : nat * event) : option (nat * Payload * Payload) :=
    match ie with
    | (i, Link s' tg a) => if s' =? s then Some (i, tg, a) else None
    | _ => None
    end.

  Definition begins_of (t : trace) (s : nat) := filter_map (begin_info s) (indexed 1 t).
  Definition ends_of (t : trace) (s : nat) := filter_map (end_info s) (indexed 1 t).
  Definition marks_of (t : trace) (s : nat) := filter_map (mark_info s) (indexed 1 t).
  Definition links_of (t : trace) (s : nat) := filter_map (link_info s) (indexed 1 t).

  (** The record of span [s] as the trace describes it. *)
  Definition span_of (t : trace) (s : nat) : option span :=
    match begins_of t s with
    | [] => None
    | (i, p, n, a) :: _ =>
        Some (mkSpan s p n a i (hd_error (ends_of t s)) (marks_of t s) (links_of t s))
    end.

  (** ** Membership *)

  Lemma in_begins_of (t : trace) s x :
    In x (begins_of t s) <->
    exists i p n a, x = (i, p, n, a) /\ In (i, Begin s p n a) (indexed 1 t).
  Proof.
    unfold begins_of. rewrite in_filter_map. split.
    - intros [[i e] [H E]]. destruct e as [s' p n a| | |]; simpl in E; try discriminate.
      destruct (s' =? s) eqn:Es; [|discriminate]. apply Nat.eqb_eq in Es. subst.
      inversion E. eauto 10.
    - intros (i & p & n & a & -> & H). exists (i, Begin s p n a). simpl.
      now rewrite Nat.eqb_refl.
  Qed.

  Lemma in_ends_of (t : trace) s x :
    In x (ends_of t s) <-> exists i st, x = (i, st) /\ In (i, End s st) (indexed 1 t).
  Proof.
    unfold ends_of. rewrite in_filter_map. split.
    - intros [[i e] [H E]]. destruct e as [|s' st| |]; simpl in E; try discriminate.
      destruct (s' =? s) eqn:Es; [|discriminate]. apply Nat.eqb_eq in Es. subst.
      inversion E. eauto.
    - intros (i & st & -> & H). exists (i, End s st). simpl. now rewrite Nat.eqb_refl.
  Qed.

  Lemma in_marks_of (t : trace) s x :
    In x (marks_of t s) <-> exists i n a, x = (i, n, a) /\ In (i, Mark s n a) (indexed 1 t).
  Proof.
    unfold marks_of. rewrite in_filter_map. split.
    - intros [[i e] [H E]]. destruct e as [| |s' n a|]; simpl in E; try discriminate.
      destruct (s' =? s) eqn:Es; [|discriminate]. apply Nat.eqb_eq in Es. subst.
      inversion E. eauto.
    - intros (i & n & a & -> & H). exists (i, Mark s n a). simpl. now rewrite Nat.eqb_refl.
  Qed.

  Lemma in_links_of (t : trace) s x :
    In x (links_of t s) <-> exists i tg a, x = (i, tg, a) /\ In (i, Link s tg a) (indexed 1 t).
  Proof.
    unfold links_of. rewrite in_filter_map. split.
    - intros [[i e] [H E]]. destruct e as [| | |s' tg a]; simpl in E; try discriminate.
      destruct (s' =? s) eqn:Es; [|discriminate]. apply Nat.eqb_eq in Es. subst.
      inversion E. eauto.
    - intros (i & tg & a & -> & H). exists (i, Link s tg a). simpl. now rewrite Nat.eqb_refl.
  Qed.

  Lemma begins_of_sorted (t : trace) s :
    StronglySorted lt (map (fun x => fst (fst (fst x))) (begins_of t s)).
  Proof.
    apply (filter_map_sorted fst); [|apply indexed_sorted].
    intros [i e] y E. destruct e; simpl in E; try discriminate.
    destruct (_ =? s); inversion E; reflexivity.
  Qed.

  Lemma ends_of_sorted (t : trace) s : StronglySorted lt (map fst (ends_of t s)).
  Proof.
    apply (filter_map_sorted fst); [|apply indexed_sorted].
    intros [i e] y E. destruct e; simpl in E; try discriminate.
    destruct (_ =? s); inversion E; reflexivity.
  Qed.

  Lemma marks_of_sorted (t : trace) s : StronglySorted lt (map time_of (marks_of t s)).
  Proof.
    apply (filter_map_sorted fst); [|apply indexed_sorted].
    intros [i e] y E. destruct e; simpl in E; try discriminate.
    destruct (_ =? s); inversion E; reflexivity.
  Qed.

  Lemma links_of_sorted (t : trace) s : StronglySorted lt (map time_of (links_of t s)).
  Proof.
    apply (filter_map_sorted fst); [|apply indexed_sorted].
    intros [i e] y E. destruct e; simpl in E; try discriminate.
    destruct (_ =? s); inversion E; reflexivity.
  Qed.

  (** ** Positions in a WF trace *)

  Definition begun_before (t : trace) (j s : nat) : Prop :=
    exists i p n a, i < j /\ In (i, Begin s p n a) (indexed 1 t).
  Definition ended_before (t : trace) (j s : nat) : Prop :=
    exists i st, i < j /\ In (i, End s st) (indexed 1 t).

  Lemma WF_pos (t : trace) j e : WF t -> In (j, e) (indexed 1 t) ->
    match e with
    | Begin s p _ _ =>
        ~ begun_before t j s
        /\ (forall q, p = Some q -> begun_before t j q /\ ~ ended_before t j q)
    | End s _ | Mark s _ _ | Link s _ _ => begun_before t j s /\ ~ ended_before t j s
    end.
  Proof.
    intros W H. destruct (WF_at t j e W H) as (pre & post & _ & Hok & Hpre).
    assert (Hb : forall s, begun pre s <-> begun_before t j s).
    { intros s. rewrite begun_indexed. unfold begun_before. setoid_rewrite Hpre.
      split; intros (i & p & n & a & H1); exists i, p, n, a; tauto. }
    assert (He : forall s, ended pre s <-> ended_before t j s).
    { intros s. rewrite ended_indexed. unfold ended_before. setoid_rewrite Hpre.
      split; intros (i & st & H1); exists i, st; tauto. }
    destruct e; simpl in Hok; unfold open_in in Hok; rewrite ?Hb, ?He in Hok; auto.
    destruct Hok as [H1 H2]. split; auto. intros q Hq. specialize (H2 q Hq). now rewrite Hb, He in H2.
  Qed.

  Lemma begin_unique (t : trace) s i1 p1 n1 a1 i2 p2 n2 a2 : WF t ->
    In (i1, Begin s p1 n1 a1) (indexed 1 t) -> In (i2, Begin s p2 n2 a2) (indexed 1 t) ->
    i1 = i2 /\ p1 = p2 /\ n1 = n2 /\ a1 = a2.
  Proof.
    intros W H1 H2. destruct (lt_eq_lt_dec i1 i2) as [[Hlt| ->]|Hlt].
    - exfalso. apply (WF_pos t _ _ W H2). exists i1, p1, n1, a1. auto.
    - pose proof (in_indexed_functional _ _ _ _ _ H1 H2) as E. inversion E. auto.
    - exfalso. apply (WF_pos t _ _ W H1). exists i2, p2, n2, a2. auto.
  Qed.

  Lemma end_unique (t : trace) s i1 st1 i2 st2 : WF t ->
    In (i1, End s st1) (indexed 1 t) -> In (i2, End s st2) (indexed 1 t) -> i1 = i2 /\ st1 = st2.
  Proof.
    intros W H1 H2. destruct (lt_eq_lt_dec i1 i2) as [[Hlt| ->]|Hlt].
    - exfalso. apply (WF_pos t _ _ W H2). exists i1, st1. auto.
    - pose proof (in_indexed_functional _ _ _ _ _ H1 H2) as E. inversion E. auto.
    - exfalso. apply (WF_pos t _ _ W H1). exists i2, st2. auto.
  Qed.

  Lemma begins_of_le_1 (t : trace) s : WF t -> length (begins_of t s) <= 1.
  Proof.
    intros W. apply (sorted_all_equal _ _ (begins_of_sorted t s)).
    intros x y Hx Hy. apply in_begins_of in Hx as (i1 & p1 & n1 & a1 & -> & H1).
    apply in_begins_of in Hy as (i2 & p2 & n2 & a2 & -> & H2).
    destruct (begin_unique t s i1 p1 n1 a1 i2 p2 n2 a2 W H1 H2) as (-> & -> & -> & ->). auto.
  Qed.

  Lemma ends_of_le_1 (t : trace) s : WF t -> length (ends_of t s) <= 1.
  Proof.
    intros W. apply (sorted_all_equal _ _ (ends_of_sorted t s)).
    intros x y Hx Hy. apply in_ends_of in Hx as (i1 & st1 & -> & H1).
    apply in_ends_of in Hy as (i2 & st2 & -> & H2).
    destruct (end_unique t s i1 st1 i2 st2 W H1 H2) as (-> & ->). auto.
  Qed.

  (** A list of at most one element that contains [x] is [[x]]. *)
  Lemma le_1_in {A} (l : list A) x : length l <= 1 -> In x l -> l = [x].
  Proof. destruct l as [|y [|z l]]; simpl; intros H Hx; try lia; intuition congruence. Qed.

  Lemma begins_of_begun (t : trace) s : begun t s <-> begins_of t s <> [].
  Proof.
    rewrite begun_indexed. split.
    - intros (i & p & n & a & H) E.
      assert (Hin : In (i, p, n, a) (begins_of t s)) by (apply in_begins_of; eauto 10).
      rewrite E in Hin. destruct Hin.
    - destruct (begins_of t s) as [|x l] eqn:E; [tauto|]. intros _.
      assert (In x (begins_of t s)) as Hx by (rewrite E; now left).
      apply in_begins_of in Hx as (i & p & n & a & _ & H). eauto.
  Qed.

  Lemma nil_of_no_member {A} (l : list A) : (forall x, ~ In x l) -> l = [].
  Proof. destruct l as [|x l]; auto. intros H. exfalso. apply (H x). now left. Qed.

  (** In a WF trace, nothing happens to a span before it begins. *)
  Lemma not_begun_nothing (t : trace) s : WF t -> ~ begun t s ->
    ends_of t s = [] /\ marks_of t s = [] /\ links_of t s = [].
  Proof.
    intros W Hb.
    assert (Hany : forall j e, In (j, e) (indexed 1 t) -> span_of_event e = s ->
                   match e with Begin _ _ _ _ => False | _ => True end -> False).
    { intros j e H Es Hk. pose proof (WF_pos t j e W H) as P.
      destruct e as [s0 p0 n0 a0|s0 st0|s0 n0 a0|s0 tg0 a0]; simpl in Es, Hk; try contradiction; subst;
        destruct P as [(i & p & n & a & _ & Hi) _]; apply Hb, begun_indexed; eauto. }
    split; [|split]; apply nil_of_no_member; intros x Hx.
    - apply in_ends_of in Hx as (i & st & _ & H). exact (Hany _ _ H eq_refl I).
    - apply in_marks_of in Hx as (i & n & a & _ & H). exact (Hany _ _ H eq_refl I).
    - apply in_links_of in Hx as (i & tg & a & _ & H). exact (Hany _ _ H eq_refl I).
  Qed.

  Lemma not_ended_nil (t : trace) s : ~ ended t s -> ends_of t s = [].
  Proof.
    intros He. apply nil_of_no_member. intros x Hx.
    apply in_ends_of in Hx as (i & st & _ & H). apply He, ended_indexed. eauto.
  Qed.

  (** ** Φ step by step *)

  Lemma indexed_snoc (t : trace) e : indexed 1 (t ++ [e]) = indexed 1 t ++ [(S (length t), e)].
  Proof. rewrite indexed_app. reflexivity. Qed.

  Lemma phi_snoc (t : trace) e : phi (t ++ [e]) = phi_step (phi t) (S (length t), e).
  Proof. unfold phi. rewrite indexed_snoc, fold_left_app. reflexivity. Qed.

  Lemma phi_sorted (t : trace) : StronglySorted lt (ids (phi t)).
  Proof.
    unfold phi. assert (H : StronglySorted lt (ids ([] : forest))) by constructor.
    revert H. generalize ([] : forest). induction (indexed 1 t) as [|[i e] l IH]; intros F S;
      simpl; auto.
    apply IH. destruct e; simpl; [apply put_sorted; auto|..]; rewrite ids_modify; auto.
  Qed.

  Lemma begins_of_snoc (t : trace) e s :
    begins_of (t ++ [e]) s = begins_of t s ++ filter_map (begin_info s) [(S (length t), e)].
  Proof. unfold begins_of. now rewrite indexed_snoc, filter_map_app. Qed.

  Lemma ends_of_snoc (t : trace) e s :
    ends_of (t ++ [e]) s = ends_of t s ++ filter_map (end_info s) [(S (length t), e)].
  Proof. unfold ends_of. now rewrite indexed_snoc, filter_map_app. Qed.

  Lemma marks_of_snoc (t : trace) e s :
    marks_of (t ++ [e]) s = marks_of t s ++ filter_map (mark_info s) [(S (length t), e)].
  Proof. unfold marks_of. now rewrite indexed_snoc, filter_map_app. Qed.

  Lemma links_of_snoc (t : trace) e s :
    links_of (t ++ [e]) s = links_of t s ++ filter_map (link_info s) [(S (length t), e)].
  Proof. unfold links_of. now rewrite indexed_snoc, filter_map_app. Qed.

  (** The central description of Φ on WF traces. *)
  Theorem phi_spec (t : trace) s : WF t -> lookup s (phi t) = span_of t s.
  Proof.
    induction t as [|e t IH] using rev_ind; intros W; [reflexivity|].
    apply WF_snoc in W as [W Hok]. specialize (IH W).
    rewrite phi_snoc. unfold span_of in *.
    rewrite begins_of_snoc, ends_of_snoc, marks_of_snoc, links_of_snoc.
    destruct e as [s0 p n a | s0 st | s0 n a | s0 tg a]; simpl.
    - rewrite lookup_put. simpl. destruct (s0 =? s) eqn:Es.
      + apply Nat.eqb_eq in Es. subst s0. destruct Hok as [Hnb _].
        assert (B : begins_of t s = []).
        { destruct (begins_of t s) eqn:E; auto. exfalso. apply Hnb, begins_of_begun. congruence. }
        destruct (not_begun_nothing t s W Hnb) as (E1 & E2 & E3).
        rewrite B, E1, E2, E3. reflexivity.
      + rewrite !app_nil_r. exact IH.
    - rewrite lookup_modify by reflexivity. destruct (s0 =? s) eqn:Es.
      + apply Nat.eqb_eq in Es. subst s0. rewrite IH. destruct Hok as [Hb Hne].
        apply begins_of_begun in Hb. rewrite (not_ended_nil t s Hne), !app_nil_r.
        destruct (begins_of t s) as [|[[[i p] n] a] l]; [congruence|]. reflexivity.
      + rewrite !app_nil_r. exact IH.
    - rewrite lookup_modify by reflexivity. destruct (s0 =? s) eqn:Es.
      + apply Nat.eqb_eq in Es. subst s0. rewrite IH. destruct Hok as [Hb Hne].
        apply begins_of_begun in Hb. rewrite !app_nil_r.
        destruct (begins_of t s) as [|[[[i p] n0] a0] l]; [congruence|]. reflexivity.
      + rewrite !app_nil_r. exact IH.
    - rewrite lookup_modify by reflexivity. destruct (s0 =? s) eqn:Es.
      + apply Nat.eqb_eq in Es. subst s0. rewrite IH. destruct Hok as [Hb Hne].
        apply begins_of_begun in Hb. rewrite !app_nil_r.
        destruct (begins_of t s) as [|[[[i p] n0] a0] l]; [congruence|]. reflexivity.
      + rewrite !app_nil_r. exact IH.
  Qed.

  (** Each record of Φ(t), read off the trace. *)
  Lemma phi_record (t : trace) r : WF t -> In r (phi t) ->
    In (start r, Begin (sid r) (parent r) (name r) (payload r)) (indexed 1 t)
    /\ fin r = hd_error (ends_of t (sid r))
    /\ marks r = marks_of t (sid r) /\ links r = links_of t (sid r).
  Proof.
    intros W H. pose proof (phi_spec t (sid r) W) as E.
    rewrite (in_lookup _ _ (phi_sorted t) H) in E. unfold span_of in E.
    destruct (begins_of t (sid r)) as [|[[[i p] n] a] l] eqn:B; [discriminate|].
    assert (Hin : In (i, p, n, a) (begins_of t (sid r))) by (rewrite B; now left).
    apply in_begins_of in Hin as (i' & p' & n' & a' & Eq & Hin). inversion Eq; subst.
    destruct r as [s0 p0 n0 a0 st0 f0 m0 l0]; simpl in *. injection E; intros; subst. auto.
  Qed.

  Lemma phi_has_span (t : trace) s : WF t -> begun t s ->
    exists r, In r (phi t) /\ sid r = s.
  Proof.
    intros W Hb. pose proof (phi_spec t s W) as E. unfold span_of in E.
    apply begins_of_begun in Hb. destruct (begins_of t s) as [|[[[i p] n] a] l]; [congruence|].
    apply lookup_in in E. eauto.
  Qed.
End PhiSpec.
