(** * Occurrences: what Ψ's sorted occurrence list contains, and in which order *)

From Coq Require Import List Arith Bool Lia Sorted Permutation.
From Cspotlp Require Import Prelim Vocabulary Forest Correspondence.
Import ListNotations.

Section Occurrences.
  Context {Name Payload : Type}.
  Local Notation event := (event Name Payload).
  Local Notation trace := (list event).
  Local Notation span := (span Name Payload).
  Local Notation forest := (list span).
  Local Notation occurrence := (occurrence Name Payload).

  (** The identity (class, span id, list position) and the time of an occurrence. *)
  Definition ident (o : occurrence) : nat * nat * nat :=
    (nth 1 (key o) 0, nth 3 (key o) 0, nth 4 (key o) 0).

  Definition otime (o : occurrence) : nat := nth 0 (key o) 0.

  Definition occ_lt (o1 o2 : occurrence) : Prop := lex_lt (key o1) (key o2).

  Lemma same_ident_spec c s q o : same_ident c s q o = true <-> ident o = (c, s, q).
  Proof.
    unfold same_ident, ident. rewrite !andb_true_iff, !Nat.eqb_eq. split.
    - intros [[-> ->] ->]. auto.
    - intros H. inversion H. auto.
  Qed.

  Lemma occ_lt_irrefl o : ~ occ_lt o o.
  Proof. apply lex_lt_irrefl. Qed.

  (** ** Membership *)

  Lemma in_span_occurrences (d : nat) (r : span) (o : occurrence) :
    In o (span_occurrences d r) <->
      o = begin_occurrence d r
      \/ (exists i tm n a, In (i, (tm, n, a)) (indexed 0 (marks r)) /\
            o = mkOcc (occurrence_key tm MARK 0 (sid r) i) (Mark (sid r) n a))
      \/ (exists i tm tg a, In (i, (tm, tg, a)) (indexed 0 (links r)) /\
            o = mkOcc (occurrence_key tm LINK 0 (sid r) i) (Link (sid r) tg a))
      \/ (exists e st, fin r = Some (e, st) /\
            o = mkOcc (occurrence_key e END 0 (sid r) 0) (End (sid r) st)).
  Proof.
    unfold span_occurrences, end_occurrences. simpl. rewrite !in_app_iff, !in_map_iff.
    split.
    - intros [H|[[[i [[tm n] a]] [<- H]]|[[[i [[tm tg] a]] [<- H]]|H]]].
      + left; auto.
      + right; left. exists i, tm, n, a. auto.
      + right; right; left. exists i, tm, tg, a. auto.
      + right; right; right. destruct (fin r) as [[e st]|]; [|destruct H].
        destruct H as [<-|[]]. eauto.
    - intros [H|[(i & tm & n & a & H & ->)|[(i & tm & tg & a & H & ->)|(e & st & E & ->)]]].
      + left; auto.
      + right; left. exists (i, (tm, n, a)). auto.
      + right; right; left. exists (i, (tm, tg, a)). auto.
      + right; right; right. rewrite E. now left.
  Qed.

  Lemma in_all_occurrences (F : forest) (o : occurrence) :
    In o (all_occurrences F) <-> exists r, In r F /\ In o (span_occurrences (depth F r) r).
  Proof. unfold all_occurrences. now rewrite in_flat_map. Qed.

  Lemma in_occurrences (F : forest) (o : occurrence) : In o (occurrences F) <-> In o (all_occurrences F).
  Proof.
    pose proof (isort_perm occ_leb (all_occurrences F)) as P.
    split; apply Permutation_in; [symmetry|]; exact P.
  Qed.

  Lemma span_occurrence_sid (d : nat) (r : span) (o : occurrence) : In o (span_occurrences d r) -> nth 3 (key o) 0 = sid r.
  Proof.
    rewrite in_span_occurrences.
    intros [->|[(?&?&?&?&_& ->)|[(?&?&?&?&_& ->)|(?&?&_& ->)]]]; reflexivity.
  Qed.

  (** ** Which occurrence carries which event *)

  Lemma occ_begin_inv (d : nat) (r : span) (o : occurrence) s p n a :
    In o (span_occurrences d r) -> occ_event o = Begin s p n a ->
    o = begin_occurrence d r /\ s = sid r /\ p = parent r /\ n = name r /\ a = payload r.
  Proof.
    rewrite in_span_occurrences.
    intros [->|[(?&?&?&?&_& ->)|[(?&?&?&?&_& ->)|(?&?&_& ->)]]]; simpl; intros H;
      inversion H; auto.
  Qed.

  Lemma occ_end_inv (d : nat) (r : span) (o : occurrence) s st :
    In o (span_occurrences d r) -> occ_event o = End s st ->
    s = sid r /\ exists e, fin r = Some (e, st) /\
      o = mkOcc (occurrence_key e END 0 (sid r) 0) (End (sid r) st).
  Proof.
    rewrite in_span_occurrences.
    intros [->|[(?&?&?&?&_& ->)|[(?&?&?&?&_& ->)|(e&st'&E& ->)]]]; simpl; intros H;
      inversion H; subst; eauto.
  Qed.

  Lemma occ_mark_inv (d : nat) (r : span) (o : occurrence) s n a :
    In o (span_occurrences d r) -> occ_event o = Mark s n a ->
    s = sid r /\ exists i tm, In (i, (tm, n, a)) (indexed 0 (marks r)) /\
      o = mkOcc (occurrence_key tm MARK 0 (sid r) i) (Mark (sid r) n a).
  Proof.
    rewrite in_span_occurrences.
    intros [->|[(i&tm&n'&a'&H& ->)|[(?&?&?&?&_& ->)|(?&?&_& ->)]]]; simpl; intros E;
      inversion E; subst; eauto.
  Qed.

  Lemma occ_link_inv (d : nat) (r : span) (o : occurrence) s tg a :
    In o (span_occurrences d r) -> occ_event o = Link s tg a ->
    s = sid r /\ exists i tm, In (i, (tm, tg, a)) (indexed 0 (links r)) /\
      o = mkOcc (occurrence_key tm LINK 0 (sid r) i) (Link (sid r) tg a).
  Proof.
    rewrite in_span_occurrences.
    intros [->|[(?&?&?&?&_& ->)|[(i&tm&tg'&a'&H& ->)|(?&?&_& ->)]]]; simpl; intros E;
      inversion E; subst; eauto.
  Qed.

  (** ** Identities are distinct *)

  Lemma idents_marks s j (ms : list (nat * Name * Payload)) :
    map ident (map (mark_occurrence s) (indexed j ms)) =
    map (fun i => (MARK, s, i)) (seq j (length ms)).
  Proof.
    revert j; induction ms as [|[[tm n] a] ms IH]; intros j; simpl; auto. now rewrite IH.
  Qed.

  Lemma idents_links s j (ks : list (nat * Payload * Payload)) :
    map ident (map (link_occurrence s) (indexed j ks)) =
    map (fun i => (LINK, s, i)) (seq j (length ks)).
  Proof.
    revert j; induction ks as [|[[tm tg] a] ks IH]; intros j; simpl; auto. now rewrite IH.
  Qed.

  Lemma nodup_class_seq (c s j n : nat) : NoDup (map (fun i => (c, s, i)) (seq j n)).
  Proof.
    revert j; induction n as [|n IH]; intros j; simpl; constructor; auto.
    intros H. apply in_map_iff in H as [i [E Hi]]. inversion E; subst.
    apply in_seq in Hi. lia.
  Qed.

  Lemma in_class_seq (c s j n : nat) (x : nat * nat * nat) : In x (map (fun i => (c, s, i)) (seq j n)) -> fst (fst x) = c.
  Proof. intros H. apply in_map_iff in H as [i [<- _]]. reflexivity. Qed.

  Lemma nodup_span_idents (d : nat) (r : span) : NoDup (map ident (span_occurrences d r)).
  Proof.
    unfold span_occurrences, end_occurrences. simpl.
    rewrite !map_app, idents_marks, idents_links.
    assert (Hend : forall x, In x (map ident match fin r with
                     | Some (e, st) => [mkOcc (occurrence_key e END 0 (sid r) 0) (End (sid r) st)]
                     | None => [] end) -> fst (fst x) = END).
    { intros x. destruct (fin r) as [[e st]|]; simpl; [|tauto]. intros [<-|[]]. reflexivity. }
    constructor.
    - rewrite !in_app_iff. intros [H|[H|H]]; apply in_class_seq in H || apply Hend in H;
        discriminate.
    - apply nodup_app_intro; [apply nodup_class_seq| |].
      + apply nodup_app_intro; [apply nodup_class_seq| |].
        * destruct (fin r) as [[e st]|]; simpl; repeat constructor. tauto.
        * intros x H1 H2. apply in_class_seq in H1. apply Hend in H2. unfold MARK, LINK, END in *; congruence.
      + intros x H1 H2. apply in_class_seq in H1. apply in_app_iff in H2 as [H2|H2].
        * apply in_class_seq in H2. unfold MARK, LINK, END in *; congruence.
        * apply Hend in H2. unfold MARK, LINK, END in *; congruence.
  Qed.

  Lemma nodup_idents_flat (d : span -> nat) (G : forest) :
    StronglySorted lt (ids G) ->
    NoDup (map ident (flat_map (fun r => span_occurrences (d r) r) G)).
  Proof.
    induction G as [|r G IH]; cbn [flat_map]; intros S; [constructor|].
    apply StronglySorted_inv in S as [S Fa]. rewrite Forall_forall in Fa.
    rewrite map_app. apply nodup_app_intro; [apply nodup_span_idents|auto|].
    intros x Hx Hy. apply in_map_iff in Hx as [o [<- Ho]]. apply in_map_iff in Hy as [o' [E Ho']].
    apply in_flat_map in Ho' as [r' [Hr' Ho']].
    apply span_occurrence_sid in Ho, Ho'. unfold ident in E. inversion E as [[E1 E2 E3]].
    specialize (Fa (sid r') (in_map _ _ _ Hr')). lia.
  Qed.

  Lemma occurrences_nodup (F : forest) : StronglySorted lt (ids F) -> NoDup (map ident (occurrences F)).
  Proof.
    intros S. eapply Permutation_NoDup; [apply Permutation_map, isort_perm|].
    apply nodup_idents_flat, S.
  Qed.

  (** ** Ψ's order is strict *)

  Lemma occurrences_sorted (F : forest) : StronglySorted lt (ids F) -> StronglySorted occ_lt (occurrences F).
  Proof.
    intros S. unfold occurrences.
    pose proof (isort_sorted occ_leb (fun x y => lex_leb_total (key x) (key y))
                  (all_occurrences F)) as Srt.
    apply Sorted_StronglySorted in Srt; [|intros x y z; apply lex_leb_trans].
    apply (strongly_sorted_strict _ occ_lt key) in Srt; auto.
    - apply (nodup_map_coarser key ident); [apply occurrences_nodup, S|].
      intros x y _ _ E. unfold ident. now rewrite E.
    - intros x y H1 H2. unfold occ_lt. apply lex_le_lt; auto. now apply lex_leb_spec.
  Qed.

  (** In the sorted list, the occurrences before [o] are exactly those with a smaller key. *)
  Lemma sorted_split (F : forest) L1 (o : occurrence) L2 o' :
    StronglySorted lt (ids F) -> occurrences F = L1 ++ o :: L2 -> In o' (occurrences F) ->
    (In o' L1 <-> occ_lt o' o).
  Proof.
    intros S E H. pose proof (occurrences_sorted F S) as SS. rewrite E in SS, H. split.
    - intros H1. eapply ss_before; eauto.
    - intros Hlt. apply in_app_iff in H as [H|[<-|H]]; auto.
      + exfalso. exact (occ_lt_irrefl _ Hlt).
      + exfalso. pose proof (ss_after _ _ _ _ _ SS H) as H'.
        exact (occ_lt_irrefl _ (lex_lt_trans _ _ _ Hlt H')).
  Qed.

  (** ** Ranks *)

  Lemma rank_nth (F : forest) j (o : occurrence) c s q :
    StronglySorted lt (ids F) -> nth_error (occurrences F) j = Some o -> ident o = (c, s, q) ->
    rank (occurrences F) c s q = S j.
  Proof.
    intros S Hj Hid. unfold rank. rewrite (position_nth _ _ 1 j o); auto.
    - now apply same_ident_spec.
    - intros j' y Hlt Hy. destruct (same_ident c s q y) eqn:E; auto. exfalso.
      apply same_ident_spec in E.
      assert (j' = j) by (eapply nodup_map_nth; eauto using occurrences_nodup; congruence).
      lia.
  Qed.

  (** The events of Ψ(F) with their positions (from 1). *)
  Lemma in_indexed_psi (F : forest) i (e : event) :
    In (i, e) (indexed 1 (psi F)) <->
    exists j o, nth_error (occurrences F) j = Some o /\ i = S j /\ occ_event o = e.
  Proof.
    unfold psi. rewrite in_indexed, nth_error_map. split.
    - intros [H1 H2]. destruct (nth_error (occurrences F) (i - 1)) as [o|] eqn:E; [|discriminate].
      inversion H2; subst. exists (i - 1), o. repeat split; auto. lia.
    - intros (j & o & H & -> & <-). split; [lia|]. simpl. rewrite Nat.sub_0_r, H. reflexivity.
  Qed.
End Occurrences.
