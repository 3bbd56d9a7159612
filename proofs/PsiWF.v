(** * PsiWF: T1 — Ψ(F) is WF for every valid forest F

    Ψ lists occurrences in increasing key order, so the events before an occurrence are exactly
    those with a smaller key; the key order puts a parent's begin before its child's
    (start(parent) <= start(child), and depth breaks the tie), a span's begin before its marks,
    links and end, and a child's begin before its parent's end. *)

From Coq Require Import List Arith Bool Lia Sorted Permutation.
From Cspotlp Require Import Prelim Vocabulary Forest Correspondence Occurrences PhiSpec.
Import ListNotations.

Section PsiWF.
  Context {Name Payload : Type}.
  Local Notation event := (event Name Payload).
  Local Notation trace := (list event).
  Local Notation span := (span Name Payload).
  Local Notation forest := (list span).
  Local Notation occurrence := (occurrence Name Payload).

  (** ** The occurrences of each span are in Ψ's list. *)

  Lemma begin_in_occurrences (F : forest) r :
    In r F -> In (begin_occurrence (depth F r) r) (occurrences F).
  Proof.
    intros H. apply in_occurrences, in_all_occurrences. exists r. split; auto.
    apply in_span_occurrences. now left.
  Qed.

  Lemma end_in_occurrences (F : forest) r e st :
    In r F -> fin r = Some (e, st) ->
    In (mkOcc (occurrence_key e END 0 (sid r) 0) (End (sid r) st)) (occurrences F).
  Proof.
    intros H Ef. apply in_occurrences, in_all_occurrences. exists r. split; auto.
    apply in_span_occurrences. right; right; right. eauto.
  Qed.

  Lemma mark_in_occurrences (F : forest) r i tm n a :
    In r F -> In (i, (tm, n, a)) (indexed 0 (marks r)) ->
    In (mkOcc (occurrence_key tm MARK 0 (sid r) i) (Mark (sid r) n a)) (occurrences F).
  Proof.
    intros H Hi. apply in_occurrences, in_all_occurrences. exists r. split; auto.
    apply in_span_occurrences. right; left. eauto 6.
  Qed.

  Lemma link_in_occurrences (F : forest) r i tm tg a :
    In r F -> In (i, (tm, tg, a)) (indexed 0 (links r)) ->
    In (mkOcc (occurrence_key tm LINK 0 (sid r) i) (Link (sid r) tg a)) (occurrences F).
  Proof.
    intros H Hi. apply in_occurrences, in_all_occurrences. exists r. split; auto.
    apply in_span_occurrences. right; right; left. eauto 6.
  Qed.

  Lemma in_occurrences_span (F : forest) o :
    In o (occurrences F) -> exists r, In r F /\ In o (span_occurrences (depth F r) r).
  Proof. intros H. now apply in_occurrences, in_all_occurrences in H. Qed.

  (** ** T1 *)

  Local Ltac lex_lia := unfold BEGIN, MARK, LINK, END in *; lia.

  Theorem T1_psi_wf (F : forest) : valid F -> WF (psi F).
  Proof.
    intros (S & OK & A). unfold psi. intros pre e post E.
    apply map_eq_app in E as (L1 & L2' & EL & E1 & E2).
    apply map_eq_cons in E2 as (o & L2 & EL2 & Eo & _). subst L2' pre e.
    assert (InL1 : forall o', In o' L1 -> In o' (occurrences F))
      by (intros o' H; rewrite EL; apply in_app_iff; now left).
    assert (Ho : In o (occurrences F)) by (rewrite EL; apply in_app_iff; right; now left).
    assert (Hbefore : forall o', In o' (occurrences F) -> (In o' L1 <-> occ_lt o' o))
      by (intros; eapply sorted_split; eauto).
    assert (Uniq : forall r r', In r F -> In r' F -> sid r = sid r' -> r = r')
      by (intros; apply (sorted_key_unique sid F); auto).
    assert (Hbegun : forall s, begun (map occ_event L1) s <->
              exists r, In r F /\ sid r = s /\ occ_lt (begin_occurrence (depth F r) r) o).
    { intros s. split.
      - intros (p & n & a & H). apply in_map_iff in H as (o' & Eo' & H1).
        pose proof (InL1 o' H1) as H2. apply in_occurrences_span in H2 as (r & Hr & Hro).
        destruct (occ_begin_inv _ _ _ _ _ _ _ Hro Eo') as (-> & -> & _).
        exists r. repeat split; auto. apply Hbefore; auto.
      - intros (r & Hr & <- & Hlt). exists (parent r), (name r), (payload r).
        apply in_map_iff. exists (begin_occurrence (depth F r) r). split; [reflexivity|].
        apply Hbefore; auto. apply begin_in_occurrences; auto. }
    assert (Hended : forall s, ended (map occ_event L1) s <->
              exists r e st, In r F /\ sid r = s /\ fin r = Some (e, st) /\
                occ_lt (mkOcc (occurrence_key e END 0 s 0) (End s st)) o).
    { intros s. split.
      - intros (st & H). apply in_map_iff in H as (o' & Eo' & H1).
        pose proof (InL1 o' H1) as H2. apply in_occurrences_span in H2 as (r & Hr & Hro).
        destruct (occ_end_inv _ _ _ _ _ Hro Eo') as (-> & e & Ef & ->).
        exists r, e, st. repeat split; auto. apply Hbefore; auto.

      - intros (r & e & st & Hr & <- & Ef & Hlt). exists st.
        apply in_map_iff. exists (mkOcc (occurrence_key e END 0 (sid r) 0) (End (sid r) st)).
        split; [reflexivity|]. apply Hbefore; auto. apply end_in_occurrences; auto. }
    apply in_occurrences_span in Ho as (r & Hr & Hro).
    destruct (OK r Hr) as (Hfin & Hmk & Hlk & Hpar).
    apply in_span_occurrences in Hro
      as [->|[(i & tm & n & a & Hi & ->)|[(i & tm & tg & a & Hi & ->)|(e & st & Ef & ->)]]];
      simpl; unfold open_in.
    - (* a begin: the span has not begun, its parent is open *)
      split.
      + rewrite Hbegun. intros (r' & Hr' & E' & Hlt). rewrite (Uniq r' r) in Hlt by auto.
        exact (occ_lt_irrefl _ Hlt).
      + intros q Hq. destruct (Hpar q Hq) as (rq & Lq & [Iq1 Iq2]).
        pose proof (lookup_in _ _ _ Lq) as [Hrq Sq].
        rewrite Hbegun, Hended. split.
        * exists rq. repeat split; auto. unfold occ_lt, begin_occurrence.
          rewrite (depth_parent F r q rq A Hrq Hq Lq). generalize (depth F rq). intros d.
          simpl. lex_lia.
        * intros (r'' & e & st & Hr'' & E'' & Ef & Hlt).
          rewrite (Uniq r'' rq) in Ef by (auto; congruence). specialize (Iq2 e st Ef).
          unfold occ_lt, begin_occurrence in Hlt. remember (depth F r) as d eqn:Ed.
          simpl in Hlt. lex_lia.
    - (* a mark: the span is open *)
      apply in_indexed_in in Hi. destruct (Hmk _ Hi) as [I1 I2]. unfold time_of in I1, I2.
      simpl in I1, I2. rewrite Hbegun, Hended. split.
      + exists r. repeat split; auto. unfold occ_lt, begin_occurrence.
        generalize (depth F r). intros d. simpl. lex_lia.
      + intros (r' & e & st & Hr' & E' & Ef & Hlt). rewrite (Uniq r' r) in Ef by auto.
        specialize (I2 e st Ef). unfold occ_lt in Hlt. simpl in Hlt. lex_lia.
    - (* a link: the span is open *)
      apply in_indexed_in in Hi. destruct (Hlk _ Hi) as [I1 I2]. unfold time_of in I1, I2.
      simpl in I1, I2. rewrite Hbegun, Hended. split.
      + exists r. repeat split; auto. unfold occ_lt, begin_occurrence.
        generalize (depth F r). intros d. simpl. lex_lia.
      + intros (r' & e & st & Hr' & E' & Ef & Hlt). rewrite (Uniq r' r) in Ef by auto.
        specialize (I2 e st Ef). unfold occ_lt in Hlt. simpl in Hlt. lex_lia.
    - (* an end: the span has begun and not yet ended *)
      rewrite Hbegun, Hended. split.
      + exists r. repeat split; auto. specialize (Hfin e st Ef).
        unfold occ_lt, begin_occurrence. generalize (depth F r). intros d. simpl. lex_lia.
      + intros (r' & e' & st' & Hr' & E' & Ef' & Hlt). rewrite (Uniq r' r) in Ef' by auto.
        rewrite Ef in Ef'. inversion Ef'; subst. exact (occ_lt_irrefl _ Hlt).
  Qed.
End PsiWF.
