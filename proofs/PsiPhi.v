(** * PsiPhi: Φ(t) is valid and normalised; T3 — Ψ(Φ(t)) = t; T4 — norm(Φ(t)) = Φ(t)

    The occurrences of Φ(t) are exactly the events of [t] at their indices, and all their times
    differ, so Ψ's order is the order of [t]. T4 then follows from T2 and T3. *)

From Coq Require Import List Arith Bool Lia Sorted Permutation.
From Cspotlp Require Import Prelim Vocabulary Forest Correspondence Occurrences PhiSpec PsiWF
  PhiPsi.
Import ListNotations.

Section PsiPhi.
  Context {Name Payload : Type}.
  Local Notation event := (event Name Payload).
  Local Notation trace := (list event).
  Local Notation span := (span Name Payload).
  Local Notation forest := (list span).
  Local Notation occurrence := (occurrence Name Payload).

  Lemma hd_error_in {A} (l : list A) x : hd_error l = Some x -> In x l.
  Proof. destruct l; simpl; intros H; inversion H; auto. Qed.

  Variable t : trace.
  Hypothesis W : WF t.
  Local Notation F := (phi t).

  Lemma phi_in_lookup r : In r F -> lookup (sid r) F = Some r.
  Proof. apply in_lookup, phi_sorted. Qed.

  Lemma phi_unique r1 r2 : In r1 F -> In r2 F -> sid r1 = sid r2 -> r1 = r2.
  Proof. apply (sorted_key_unique sid), phi_sorted. Qed.

  (** A span of Φ(t) begins at [start r]: the begin of [sid r] at index [j] is that one. *)
  Lemma phi_begin_at r j p n a :
    In r F -> In (j, Begin (sid r) p n a) (indexed 1 t) ->
    j = start r /\ p = parent r /\ n = name r /\ a = payload r.
  Proof.
    intros Hr Hj. destruct (phi_record t r W Hr) as (Hb & _).
    destruct (begin_unique _ _ _ _ _ _ _ _ _ _ W Hj Hb) as (-> & -> & -> & ->). auto.
  Qed.

  Lemma phi_begun_before r j : In r F -> begun_before t j (sid r) -> start r < j.
  Proof.
    intros Hr (i & p & n & a & Hi & Hin). now destruct (phi_begin_at r i p n a Hr Hin) as (<- & _).
  Qed.

  Lemma phi_end_at r e st :
    In r F -> fin r = Some (e, st) -> In (e, End (sid r) st) (indexed 1 t).
  Proof.
    intros Hr Ef. destruct (phi_record t r W Hr) as (_ & Hf & _). rewrite Hf in Ef.
    apply hd_error_in, in_ends_of in Ef as (i & st' & E & H). inversion E; subst. exact H.
  Qed.

  (** Nothing of span [r] happens at [j] or later once it has ended before [j]. *)
  Lemma phi_end_after r j e st :
    In r F -> ~ ended_before t j (sid r) -> fin r = Some (e, st) -> j <= e.
  Proof.
    intros Hr Hne Ef. destruct (le_lt_dec j e) as [|Hlt]; auto. exfalso.
    apply Hne. exists e, st. split; auto. now apply phi_end_at.
  Qed.

  Lemma phi_parent r q :
    In r F -> parent r = Some q ->
    exists rq, lookup q F = Some rq /\ start rq < start r /\ in_interval rq (start r).
  Proof.
    intros Hr Hq. destruct (phi_record t r W Hr) as (Hb & _).
    pose proof (WF_pos t _ _ W Hb) as [_ P]. rewrite Hq in P. destruct (P q eq_refl) as [Hbq Hne].
    destruct (phi_has_span t q W) as (rq & Hrq & Sq).
    { destruct Hbq as (i & p & n & a & _ & H). apply begun_indexed. eauto. }
    subst q. exists rq. split; [now apply phi_in_lookup|].
    pose proof (phi_begun_before rq _ Hrq Hbq). split; [auto|]. split; [lia|].
    intros e st Ef. exact (phi_end_after rq _ e st Hrq Hne Ef).
  Qed.

  (** Marks and links happen while their span is open. *)
  Lemma phi_open_at r j :
    In r F -> begun_before t j (sid r) /\ ~ ended_before t j (sid r) -> in_interval r j.
  Proof.
    intros Hr [Hb Hne]. split.
    - pose proof (phi_begun_before r j Hr Hb). lia.
    - intros e st Ef. exact (phi_end_after r j e st Hr Hne Ef).
  Qed.

  Theorem phi_valid : valid F.
  Proof.
    split; [apply phi_sorted|]. split.
    - intros r Hr. destruct (phi_record t r W Hr) as (Hb & Hf & Hm & Hl).
      split; [|split; [|split]].
      + intros e st Ef. pose proof (WF_pos t _ _ W (phi_end_at r e st Hr Ef)) as [Hbe _].
        pose proof (phi_begun_before r e Hr Hbe). lia.
      + intros m Hm'. rewrite Hm in Hm'. apply in_marks_of in Hm' as (i & n & a & -> & Hi).
        apply phi_open_at; auto. exact (WF_pos t _ _ W Hi).
      + intros k Hk. rewrite Hl in Hk. apply in_links_of in Hk as (i & tg & a & -> & Hi).
        apply phi_open_at; auto. exact (WF_pos t _ _ W Hi).
      + intros q Hq. destruct (phi_parent r q Hr Hq) as (rq & L & _ & I). eauto.
    - apply acyclic_of_parent_earlier. intros r q Hr Hq.
      destruct (phi_parent r q Hr Hq) as (rq & L & H & _). eauto.
  Qed.

  (** ** The occurrences of Φ(t) are the indexed events of [t]. *)

  Lemma phi_occurrence_in_trace o :
    In o (occurrences F) -> In (otime o, occ_event o) (indexed 1 t).
  Proof.
    intros Ho. apply in_occurrences_span in Ho as (r & Hr & Hro).
    destruct (phi_record t r W Hr) as (Hb & Hf & Hm & Hl).
    apply in_span_occurrences in Hro
      as [->|[(i & tm & n & a & Hi & ->)|[(i & tm & tg & a & Hi & ->)|(e & st & Ef & ->)]]].
    - exact Hb.
    - apply in_indexed_in in Hi. rewrite Hm in Hi.
      apply in_marks_of in Hi as (i' & n' & a' & E & H). inversion E; subst. exact H.
    - apply in_indexed_in in Hi. rewrite Hl in Hi.
      apply in_links_of in Hi as (i' & tg' & a' & E & H). inversion E; subst. exact H.
    - now apply phi_end_at.
  Qed.

  Lemma begun_of_event j e : In (j, e) (indexed 1 t) -> begun t (span_of_event e).
  Proof.
    intros H. pose proof (WF_pos t j e W H) as P.
    destruct e as [s p n a|s st|s n a|s tg a]; simpl.
    - apply begun_indexed. eauto.
    - destruct P as [(i & p & n & a & _ & Hi) _]. apply begun_indexed. eauto.
    - destruct P as [(i & p & n' & a' & _ & Hi) _]. apply begun_indexed. eauto.
    - destruct P as [(i & p & n & a' & _ & Hi) _]. apply begun_indexed. eauto.
  Qed.

  Lemma trace_in_phi_occurrences j e :
    In (j, e) (indexed 1 t) -> exists o, In o (occurrences F) /\ otime o = j /\ occ_event o = e.
  Proof.
    intros H. destruct (phi_has_span t (span_of_event e) W (begun_of_event j e H))
      as (r & Hr & Sr).
    destruct (phi_record t r W Hr) as (Hb & Hf & Hm & Hl).
    destruct e as [s p n a|s st|s n a|s tg a]; simpl in Sr; subst s.
    - destruct (phi_begin_at r j p n a Hr H) as (-> & -> & -> & ->).
      eexists. split; [apply begin_in_occurrences; exact Hr|]. auto.
    - assert (E : ends_of t (sid r) = [(j, st)]).
      { apply le_1_in; [now apply ends_of_le_1|]. apply in_ends_of. eauto. }
      rewrite E in Hf. simpl in Hf.
      eexists. split; [apply (end_in_occurrences _ r j st Hr Hf)|]. auto.
    - assert (Hin : In (j, n, a) (marks r)) by (rewrite Hm; apply in_marks_of; eauto).
      apply In_nth_error in Hin as [k Hk].
      assert (Hk' : In (k, (j, n, a)) (indexed 0 (marks r)))
        by (apply in_indexed; rewrite Nat.sub_0_r; auto with arith).
      eexists. split; [apply (mark_in_occurrences _ r k j n a Hr Hk')|]. auto.
    - assert (Hin : In (j, tg, a) (links r)) by (rewrite Hl; apply in_links_of; eauto).
      apply In_nth_error in Hin as [k Hk].
      assert (Hk' : In (k, (j, tg, a)) (indexed 0 (links r)))
        by (apply in_indexed; rewrite Nat.sub_0_r; auto with arith).
      eexists. split; [apply (link_in_occurrences _ r k j tg a Hr Hk')|]. auto.
  Qed.

  (** Two occurrences of Φ(t) with the same time and event are the same occurrence. *)
  Lemma phi_occurrence_unique o1 o2 :
    In o1 (occurrences F) -> In o2 (occurrences F) ->
    otime o1 = otime o2 -> occ_event o1 = occ_event o2 -> o1 = o2.
  Proof.
    intros H1 H2 Et Ee.
    apply in_occurrences_span in H1 as (r1 & Hr1 & Ho1).
    apply in_occurrences_span in H2 as (r2 & Hr2 & Ho2).
    apply in_span_occurrences in Ho1
      as [->|[(i & tm & n & a & Hi & ->)|[(i & tm & tg & a & Hi & ->)|(e & st & Ef & ->)]]];
      simpl in Ee; symmetry in Ee.
    - destruct (occ_begin_inv _ _ _ _ _ _ _ Ho2 Ee) as (-> & E & _).
      now rewrite (phi_unique r1 r2 Hr1 Hr2 E).
    - destruct (occ_mark_inv _ _ _ _ _ _ Ho2 Ee) as (E & k & tm' & Hk & ->).
      rewrite <- (phi_unique r1 r2 Hr1 Hr2 E) in Hk |- *. unfold otime in Et. simpl in Et. subst tm'.
      apply in_indexed in Hi as [_ Hi]. apply in_indexed in Hk as [_ Hk].
      rewrite Nat.sub_0_r in Hi, Hk.
      destruct (phi_record t r1 W Hr1) as (_ & _ & Hm & _).
      assert (i = k) as ->; [|reflexivity].
      apply (nodup_map_nth time_of (marks r1) i k (tm, n, a) (tm, n, a)); auto.
      rewrite Hm. apply sorted_nodup, marks_of_sorted.
    - destruct (occ_link_inv _ _ _ _ _ _ Ho2 Ee) as (E & k & tm' & Hk & ->).
      rewrite <- (phi_unique r1 r2 Hr1 Hr2 E) in Hk |- *. unfold otime in Et. simpl in Et. subst tm'.
      apply in_indexed in Hi as [_ Hi]. apply in_indexed in Hk as [_ Hk].
      rewrite Nat.sub_0_r in Hi, Hk.
      destruct (phi_record t r1 W Hr1) as (_ & _ & _ & Hl).
      assert (i = k) as ->; [|reflexivity].
      apply (nodup_map_nth time_of (links r1) i k (tm, tg, a) (tm, tg, a)); auto.
      rewrite Hl. apply sorted_nodup, links_of_sorted.
    - destruct (occ_end_inv _ _ _ _ _ Ho2 Ee) as (E & e' & Ef' & ->).
      rewrite <- (phi_unique r1 r2 Hr1 Hr2 E) in Ef' |- *. rewrite Ef in Ef'.
      now inversion Ef'.
  Qed.

  Lemma occurrence_key_head o :
    In o (occurrences F) -> exists rest, key o = otime o :: rest.
  Proof.
    intros Ho. apply in_occurrences_span in Ho as (r & _ & Ho).
    apply in_span_occurrences in Ho
      as [->|[(?&?&?&?&_& ->)|[(?&?&?&?&_& ->)|(?&?&_& ->)]]]; eexists; reflexivity.
  Qed.

  (** Ψ's list of Φ(t) is [t] with its indices. *)
  Lemma phi_occurrences_timed :
    map (fun o => (otime o, occ_event o)) (occurrences F) = indexed 1 t.
  Proof.
    apply (sorted_ext fst).
    - rewrite map_map. simpl. apply (strongly_sorted_map occ_lt otime).
      + apply occurrences_sorted, phi_sorted.
      + intros o1 o2 H1 H2 Hlt.
        destruct (occurrence_key_head o1 H1) as [r1 E1].
        destruct (occurrence_key_head o2 H2) as [r2 E2].
        assert (Hle : otime o1 < otime o2 \/ otime o1 = otime o2).
        { unfold occ_lt in Hlt. rewrite E1, E2 in Hlt. simpl in Hlt.
          destruct Hlt as [H|[H _]]; auto. }
        destruct Hle as [Hle|Heq]; auto. exfalso.
        assert (Ee : occ_event o1 = occ_event o2).
        { apply (in_indexed_functional 1 t (otime o1)); [|rewrite Heq];
            apply phi_occurrence_in_trace; auto. }
        rewrite (phi_occurrence_unique o1 o2 H1 H2 Heq Ee) in Hlt.
        exact (occ_lt_irrefl _ Hlt).
    - apply indexed_sorted.
    - intros [j e]. split.
      + intros H. apply in_map_iff in H as (o & Eo & Ho). inversion Eo; subst.
        apply phi_occurrence_in_trace; auto.
      + intros H. destruct (trace_in_phi_occurrences j e H) as (o & Ho & <- & <-).
        apply in_map_iff. eauto.
  Qed.

  Theorem T3_psi_phi : psi F = t.
  Proof.
    unfold psi. transitivity (map snd (indexed 1 t)); [|apply map_snd_indexed].
    rewrite <- phi_occurrences_timed, map_map. reflexivity.
  Qed.

  Theorem T4_norm_phi : norm F = F.
  Proof. rewrite <- (T2_phi_psi F phi_valid). now rewrite T3_psi_phi. Qed.

  (** ** Φ(t) is normalised: its time stamps are exactly 1..|t|. *)

  Lemma otime_marks s j (ms : list (nat * Name * Payload)) :
    map otime (map (mark_occurrence (Payload:=Payload) s) (indexed j ms)) = map time_of ms.
  Proof. revert j; induction ms as [|[[tm n] a] ms IH]; intros j; simpl; f_equal; auto. Qed.

  Lemma otime_links s j (ks : list (nat * Payload * Payload)) :
    map otime (map (link_occurrence (Name:=Name) s) (indexed j ks)) = map time_of ks.
  Proof. revert j; induction ks as [|[[tm tg] a] ks IH]; intros j; simpl; f_equal; auto. Qed.

  Lemma span_times_perm d (r : span) :
    Permutation (span_times r) (map otime (span_occurrences d r)).
  Proof.
    unfold span_times, span_occurrences, end_occurrences. simpl. constructor.
    rewrite !map_app, otime_marks, otime_links, (app_assoc (map time_of (marks r))).
    replace (map otime match fin r with
                       | Some (e, st) => [mkOcc (occurrence_key e END 0 (sid r) 0) (End (sid r) st)]
                       | None => []
                       end)
      with (match fin r with Some (e, _) => [e] | None => [] end)
      by (destruct (fin r) as [[e st]|]; reflexivity).
    apply Permutation_app_comm.
  Qed.

  Lemma flat_map_perm {A B} (f g : A -> list B) l :
    (forall x, Permutation (f x) (g x)) -> Permutation (flat_map f l) (flat_map g l).
  Proof. intros H. induction l; simpl; auto using Permutation_app. Qed.

  Lemma map_flat_map {A B C} (f : B -> C) (g : A -> list B) l :
    map f (flat_map g l) = flat_map (fun x => map f (g x)) l.
  Proof. induction l; simpl; rewrite ?map_app; f_equal; auto. Qed.

  Theorem phi_normalised : normalised F.
  Proof.
    assert (P : Permutation (times F) (seq 1 (length t))).
    { unfold times. eapply perm_trans.
      - apply (flat_map_perm _ (fun r => map otime (span_occurrences (depth F r) r))).
        intros r. apply span_times_perm.
      - rewrite <- map_flat_map. fold (all_occurrences F).
        eapply perm_trans; [apply Permutation_map, (isort_perm occ_leb)|]. fold (occurrences F).
        replace (map otime (occurrences F)) with (map fst (indexed 1 t)).
        + rewrite map_fst_indexed. apply Permutation_refl.
        + rewrite <- phi_occurrences_timed, map_map. reflexivity. }
    unfold normalised. rewrite (Permutation_length P), seq_length. exact P.
  Qed.
End PsiPhi.
