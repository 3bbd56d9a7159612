(** * PhiPsi: T2 — Φ(Ψ(F)) = norm(F) for every valid forest F

    Ψ(F) is WF (T1), so Φ(Ψ(F)) is described span by span by [phi_spec]: span [s] starts at
    the position of its begin in Ψ's order, ends at the position of its end, and has its marks
    and links at their positions, in position order. Those positions are the ranks norm uses. *)

From Coq Require Import List Arith Bool Lia Sorted Permutation.
From Cspotlp Require Import Prelim Vocabulary Forest Correspondence Occurrences PhiSpec PsiWF.
Import ListNotations.

Section PhiPsi.
  Context {Name Payload : Type}.
  Local Notation event := (event Name Payload).
  Local Notation trace := (list event).
  Local Notation span := (span Name Payload).
  Local Notation forest := (list span).
  Local Notation occurrence := (occurrence Name Payload).

  Lemma time_leb_total {X Y} (x y : nat * X * Y) : time_leb x y = true \/ time_leb y x = true.
  Proof.
    unfold time_leb. destruct (Nat.le_ge_cases (time_of x) (time_of y)); [left|right];
      now apply Nat.leb_le.
  Qed.

  (** Sorting marks (or links) with distinct times by time gives a strictly increasing list. *)
  Lemma isort_time_sorted {X Y} (l : list (nat * X * Y)) :
    NoDup (map time_of l) -> StronglySorted lt (map time_of (isort time_leb l)).
  Proof.
    intros N. apply sorted_le_strict.
    - apply (sorted_map _ (fun a b => time_leb a b = true)).
      + intros x y H. now apply Nat.leb_le.
      + apply isort_sorted. apply time_leb_total.
    - eapply Permutation_NoDup; [apply Permutation_map, isort_perm|exact N].
  Qed.

  Lemma in_isort {A} (leb : A -> A -> bool) l x : In x (isort leb l) <-> In x l.
  Proof. split; apply Permutation_in; [symmetry|]; apply isort_perm. Qed.

  Section WithForest.
    Variable F : forest.
    Hypothesis Hsort : StronglySorted lt (ids F).
    Local Notation L := (occurrences F).

    Lemma rank_in o c s q :
      In o L -> ident o = (c, s, q) -> exists j, nth_error L j = Some o /\ rank L c s q = S j.
    Proof.
      intros H Hid. apply In_nth_error in H as [j Hj]. exists j. split; auto.
      eapply rank_nth; eauto.
    Qed.

    Lemma rank_inj o1 o2 c s q1 q2 :
      In o1 L -> In o2 L -> ident o1 = (c, s, q1) -> ident o2 = (c, s, q2) ->
      rank L c s q1 = rank L c s q2 -> q1 = q2.
    Proof.
      intros H1 H2 I1 I2 E.
      destruct (rank_in o1 c s q1 H1 I1) as (j1 & N1 & R1).
      destruct (rank_in o2 c s q2 H2 I2) as (j2 & N2 & R2).
      assert (j1 = j2) as <- by congruence. rewrite N1 in N2. inversion N2; subst.
      rewrite I1 in I2. now inversion I2.
    Qed.

    Lemma begins_psi s x :
      In x (begins_of (psi F) s) <->
      exists r, lookup s F = Some r /\ x = (rank L BEGIN s 0, parent r, name r, payload r).
    Proof.
      rewrite in_begins_of. split.
      - intros (i & p & n & a & -> & H). apply in_indexed_psi in H as (j & o & Hj & -> & Eo).
        pose proof (nth_error_In _ _ Hj) as Ho. apply in_occurrences_span in Ho as (r & Hr & Hro).
        destruct (occ_begin_inv _ _ _ _ _ _ _ Hro Eo) as (-> & -> & -> & -> & ->).
        exists r. split; [now apply in_lookup|]. erewrite rank_nth; eauto.
      - intros (r & Hl & ->). apply lookup_in in Hl as [Hr <-].
        destruct (rank_in _ BEGIN (sid r) 0 (begin_in_occurrences F r Hr) eq_refl)
          as (j & Hj & ->).
        do 4 eexists. split; [reflexivity|]. apply in_indexed_psi. eauto.
    Qed.

    Lemma ends_psi s x :
      In x (ends_of (psi F) s) <->
      exists r e st, lookup s F = Some r /\ fin r = Some (e, st) /\ x = (rank L END s 0, st).
    Proof.
      rewrite in_ends_of. split.
      - intros (i & st & -> & H). apply in_indexed_psi in H as (j & o & Hj & -> & Eo).
        pose proof (nth_error_In _ _ Hj) as Ho. apply in_occurrences_span in Ho as (r & Hr & Hro).
        destruct (occ_end_inv _ _ _ _ _ Hro Eo) as (-> & e & Ef & ->).
        exists r, e, st. split; [now apply in_lookup|]. split; auto.
        erewrite rank_nth; eauto.
      - intros (r & e & st & Hl & Ef & ->). apply lookup_in in Hl as [Hr <-].
        destruct (rank_in _ END (sid r) 0 (end_in_occurrences F r e st Hr Ef) eq_refl)
          as (j & Hj & ->).
        do 2 eexists. split; [reflexivity|]. apply in_indexed_psi. eauto.
    Qed.

    Lemma marks_psi s x :
      In x (marks_of (psi F) s) <->
      exists r, lookup s F = Some r /\ In x (map (norm_mark L s) (indexed 0 (marks r))).
    Proof.
      rewrite in_marks_of. split.
      - intros (i & n & a & -> & H). apply in_indexed_psi in H as (j & o & Hj & -> & Eo).
        pose proof (nth_error_In _ _ Hj) as Ho. apply in_occurrences_span in Ho as (r & Hr & Hro).
        destruct (occ_mark_inv _ _ _ _ _ _ Hro Eo) as (-> & k & tm & Hk & ->).
        exists r. split; [now apply in_lookup|]. apply in_map_iff.
        exists (k, (tm, n, a)). split; auto. simpl. erewrite rank_nth; eauto.
      - intros (r & Hl & Hx). apply lookup_in in Hl as [Hr <-].
        apply in_map_iff in Hx as ([k [[tm n] a]] & <- & Hk).
        destruct (rank_in _ MARK (sid r) k (mark_in_occurrences F r k tm n a Hr Hk) eq_refl)
          as (j & Hj & E). simpl. rewrite E.
        do 3 eexists. split; [reflexivity|]. apply in_indexed_psi. eauto.
    Qed.

    Lemma links_psi s x :
      In x (links_of (psi F) s) <->
      exists r, lookup s F = Some r /\ In x (map (norm_link L s) (indexed 0 (links r))).
    Proof.
      rewrite in_links_of. split.
      - intros (i & tg & a & -> & H). apply in_indexed_psi in H as (j & o & Hj & -> & Eo).
        pose proof (nth_error_In _ _ Hj) as Ho. apply in_occurrences_span in Ho as (r & Hr & Hro).
        destruct (occ_link_inv _ _ _ _ _ _ Hro Eo) as (-> & k & tm & Hk & ->).
        exists r. split; [now apply in_lookup|]. apply in_map_iff.
        exists (k, (tm, tg, a)). split; auto. simpl. erewrite rank_nth; eauto.
      - intros (r & Hl & Hx). apply lookup_in in Hl as [Hr <-].
        apply in_map_iff in Hx as ([k [[tm tg] a]] & <- & Hk).
        destruct (rank_in _ LINK (sid r) k (link_in_occurrences F r k tm tg a Hr Hk) eq_refl)
          as (j & Hj & E). simpl. rewrite E.
        do 3 eexists. split; [reflexivity|]. apply in_indexed_psi. eauto.
    Qed.

    (** Ranks of a span's marks (links) are distinct. *)
    Lemma norm_marks_nodup r :
      In r F -> NoDup (map time_of (map (norm_mark L (sid r)) (indexed 0 (marks r)))).
    Proof.
      intros Hr. rewrite map_map. apply (nodup_map_coarser _ fst).
      - rewrite map_fst_indexed. apply seq_NoDup.
      - intros [k1 [[tm1 n1] a1]] [k2 [[tm2 n2] a2]] H1 H2 E. simpl in E |- *.
        apply (rank_inj (mkOcc (occurrence_key tm1 MARK 0 (sid r) k1) (Mark (sid r) n1 a1))
                        (mkOcc (occurrence_key tm2 MARK 0 (sid r) k2) (Mark (sid r) n2 a2))
                        MARK (sid r)); auto using mark_in_occurrences.
    Qed.

    Lemma norm_links_nodup r :
      In r F -> NoDup (map time_of (map (norm_link L (sid r)) (indexed 0 (links r)))).
    Proof.
      intros Hr. rewrite map_map. apply (nodup_map_coarser _ fst).
      - rewrite map_fst_indexed. apply seq_NoDup.
      - intros [k1 [[tm1 tg1] a1]] [k2 [[tm2 tg2] a2]] H1 H2 E. simpl in E |- *.
        apply (rank_inj (mkOcc (occurrence_key tm1 LINK 0 (sid r) k1) (Link (sid r) tg1 a1))
                        (mkOcc (occurrence_key tm2 LINK 0 (sid r) k2) (Link (sid r) tg2 a2))
                        LINK (sid r)); auto using link_in_occurrences.
    Qed.
  End WithForest.

  Theorem T2_phi_psi (F : forest) : valid F -> phi (psi F) = norm F.
  Proof.
    intros V. pose proof (T1_psi_wf F V) as W. destruct V as (S & _ & _).
    apply forest_ext; [apply phi_sorted|unfold norm, ids; rewrite map_map; exact S|].
    intros s. rewrite (phi_spec _ s W). unfold norm. rewrite lookup_map by reflexivity.
    unfold span_of. destruct (lookup s F) as [r|] eqn:Hl; simpl.
    - assert (Hb : begins_of (psi F) s =
                   [(rank (occurrences F) BEGIN s 0, parent r, name r, payload r)]).
      { apply le_1_in; [now apply begins_of_le_1|]. apply begins_psi; eauto. }
      rewrite Hb. pose proof (lookup_in _ _ _ Hl) as [Hr <-]. unfold norm_span. f_equal. f_equal.
      + destruct (fin r) as [[e st]|] eqn:Ef.
        * assert (He : ends_of (psi F) (sid r) = [(rank (occurrences F) END (sid r) 0, st)]).
          { apply le_1_in; [now apply ends_of_le_1|]. apply ends_psi; eauto 6. }
          now rewrite He.
        * assert (He : ends_of (psi F) (sid r) = []).
          { apply nil_of_no_member. intros x Hx.
            apply ends_psi in Hx as (r' & e & st & Hl' & Ef' & _); [congruence|exact S]. }
          now rewrite He.
      + apply (sorted_ext time_of); [apply marks_of_sorted| |].
        * apply isort_time_sorted, norm_marks_nodup; auto.
        * intros x. rewrite in_isort, marks_psi; auto. split.
          -- intros (r' & Hl' & Hx). congruence.
          -- intros Hx. eauto.
      + apply (sorted_ext time_of); [apply links_of_sorted| |].
        * apply isort_time_sorted, norm_links_nodup; auto.
        * intros x. rewrite in_isort, links_psi; auto. split.
          -- intros (r' & Hl' & Hx). congruence.
          -- intros Hx. eauto.
    - replace (begins_of (psi F) s) with (@nil (nat * option nat * Name * Payload)); [reflexivity|].
      symmetry. apply nil_of_no_member. intros x Hx. apply begins_psi in Hx as (r & Hl' & _); auto.
      congruence.
  Qed.
End PhiPsi.
