(** * Prefix: T5 — Φ(t↾i) = cut_i(Φ(t)) for every WF trace t and every i

    The events about span [s] in t↾i are those of [t] with index at most [i]; so are the begin,
    end, marks and links [cut] keeps. *)

From Coq Require Import List Arith Bool Lia Sorted Permutation.
From Cspotlp Require Import Prelim Vocabulary Forest Correspondence PhiSpec.
Import ListNotations.

Section Prefix.
  Context {Name Payload : Type}.
  Local Notation event := (event Name Payload).
  Local Notation trace := (list event).
  Local Notation span := (span Name Payload).
  Local Notation forest := (list span).

  Lemma lookup_filter_sorted (F : forest) (p : span -> bool) s :
    StronglySorted lt (ids F) ->
    lookup s (filter p F) =
    match lookup s F with Some r => if p r then Some r else None | None => None end.
  Proof.
    unfold lookup. induction F as [|r F IH]; simpl; intros S; auto.
    apply StronglySorted_inv in S as [S Fa]. rewrite Forall_forall in Fa.
    destruct (p r) eqn:Ep; simpl.
    - destruct (sid r =? s) eqn:Es; [now rewrite Ep|]. apply IH; auto.
    - destruct (sid r =? s) eqn:Es; [|apply IH; auto].
      apply Nat.eqb_eq in Es. subst s. rewrite Ep, IH by auto.
      destruct (find (fun r0 => sid r0 =? sid r) F) as [r'|] eqn:E; auto. exfalso.
      apply find_some in E as [Hin Eq]. apply Nat.eqb_eq in Eq.
      specialize (Fa (sid r') (in_map sid F r' Hin)). lia.
  Qed.

  Lemma lookup_cut (F : forest) i s :
    StronglySorted lt (ids F) ->
    lookup s (cut F i) =
    match lookup s F with
    | Some r => if start r <=? i then Some (cut_span i r) else None
    | None => None
    end.
  Proof.
    intros S. unfold cut. rewrite lookup_map by reflexivity. rewrite lookup_filter_sorted by exact S.
    destruct (lookup s F) as [r|]; simpl; auto. destruct (start r <=? i); reflexivity.
  Qed.

  Lemma cut_sorted (F : forest) i : StronglySorted lt (ids F) -> StronglySorted lt (ids (cut F i)).
  Proof. intros S. unfold cut, ids. rewrite map_map. simpl. now apply sorted_filter. Qed.

  (** The events of t↾i about a span are its events in [t] up to index [i]. *)
  Lemma begins_of_firstn (t : trace) i s :
    begins_of (firstn i t) s = filter (fun x => fst (fst (fst x)) <=? i) (begins_of t s).
  Proof.
    unfold begins_of. rewrite indexed_firstn. apply filter_map_filter.
    intros [j e] y E. destruct e; simpl in E; try discriminate.
    destruct (_ =? s); inversion E; reflexivity.
  Qed.

  Lemma ends_of_firstn (t : trace) i s :
    ends_of (firstn i t) s = filter (fun x => fst x <=? i) (ends_of t s).
  Proof.
    unfold ends_of. rewrite indexed_firstn. apply filter_map_filter.
    intros [j e] y E. destruct e; simpl in E; try discriminate.
    destruct (_ =? s); inversion E; reflexivity.
  Qed.

  Lemma marks_of_firstn (t : trace) i s :
    marks_of (firstn i t) s = filter (fun m => time_of m <=? i) (marks_of t s).
  Proof.
    unfold marks_of. rewrite indexed_firstn. apply filter_map_filter.
    intros [j e] y E. destruct e; simpl in E; try discriminate.
    destruct (_ =? s); inversion E; reflexivity.
  Qed.

  Lemma links_of_firstn (t : trace) i s :
    links_of (firstn i t) s = filter (fun k => time_of k <=? i) (links_of t s).
  Proof.
    unfold links_of. rewrite indexed_firstn. apply filter_map_filter.
    intros [j e] y E. destruct e; simpl in E; try discriminate.
    destruct (_ =? s); inversion E; reflexivity.
  Qed.

  Theorem T5_phi_prefix (t : trace) i : WF t -> phi (prefix t i) = cut (phi t) i.
  Proof.
    intros W. pose proof (WF_firstn t i W) as Wp. unfold prefix.
    apply forest_ext; [apply phi_sorted|apply cut_sorted, phi_sorted|].
    intros s. rewrite (phi_spec _ s Wp), lookup_cut by apply phi_sorted. rewrite (phi_spec _ s W).
    unfold span_of. rewrite begins_of_firstn, ends_of_firstn, marks_of_firstn, links_of_firstn.
    pose proof (begins_of_le_1 t s W) as B1. pose proof (ends_of_le_1 t s W) as E1.
    destruct (begins_of t s) as [|[[[j p] n] a] [|y l]]; simpl in B1 |- *; [reflexivity| |lia].
    destruct (j <=? i) eqn:Ej; [|reflexivity].
    unfold cut_span. simpl. f_equal. f_equal.
    destruct (ends_of t s) as [|[e st] [|y l]]; simpl in E1 |- *; [reflexivity| |lia].
    destruct (e <=? i); reflexivity.
  Qed.
End Prefix.
