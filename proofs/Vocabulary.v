(** * Vocabulary: span events and well-formed traces (docs/theory.md; Python
    [cspotlp/mapping/vocabulary.py])

    Span ids are naturals. Names and payloads (span kind and attributes, end status, link
    targets) are abstract: every definition below is parametric in the types [Name] and [Payload]
    (section variables, so theorems are universally quantified over them — no axioms). *)

From Coq Require Import List Arith Bool Lia.
From Cspotlp Require Import Prelim.
Import ListNotations.

(** [Begin s p n a] is [begin(s, p, n, a)] ([p = None] for a root), [End s st] is [end(s, st)],
    [Mark s n a] is [mark(s, n, a)], [Link s tg a] is [link(s, tg, a)]. *)
Inductive event (Name Payload : Type) : Type :=
| Begin (s : nat) (p : option nat) (n : Name) (a : Payload)
| End (s : nat) (st : Payload)
| Mark (s : nat) (n : Name) (a : Payload)
| Link (s : nat) (target : Payload) (a : Payload).

Arguments Begin {Name Payload}.
Arguments End {Name Payload}.
Arguments Mark {Name Payload}.
Arguments Link {Name Payload}.

Section Vocabulary.
  Context {Name Payload : Type}.
  Local Notation event := (event Name Payload).
  Local Notation trace := (list event).

  (** [ev.span] in Python. *)
  Definition span_of_event (e : event) : nat :=
    match e with
    | Begin s _ _ _ | End s _ | Mark s _ _ | Link s _ _ => s
    end.

  Definition begun (t : trace) (s : nat) : Prop := exists p n a, In (Begin s p n a) t.
  Definition ended (t : trace) (s : nat) : Prop := exists st, In (End s st) t.
  Definition open_in (t : trace) (s : nat) : Prop := begun t s /\ ~ ended t s.

  (** What W1–W4 ask of event [e] after the prefix [pre]. *)
  Definition ok_event (pre : trace) (e : event) : Prop :=
    match e with
    | Begin s p _ _ => ~ begun pre s /\ (forall q, p = Some q -> open_in pre q)  (* W1, W3 *)
    | End s _ => begun pre s /\ ~ ended pre s                                   (* W2 *)
    | Mark s _ _ | Link s _ _ => open_in pre s                                  (* W4 *)
    end.

  (** Well formed: every event is allowed by the prefix before it. *)
  Definition WF (t : trace) : Prop :=
    forall pre e post, t = pre ++ e :: post -> ok_event pre e.

  (** The executable check, written as Python's [wf_violation] scan with its [begun] and [ended]
      sets; [is_wf_correct] below proves that it decides [WF]. *)
  Definition mem (s : nat) (l : list nat) : bool := existsb (Nat.eqb s) l.

  Definition allowed (begun ended : list nat) (e : event) : bool :=
    match e with
    | Begin s p _ _ =>
        negb (mem s begun)
        && match p with None => true | Some q => mem q begun && negb (mem q ended) end
    | End s _ => mem s begun && negb (mem s ended)
    | Mark s _ _ | Link s _ _ => mem s begun && negb (mem s ended)
    end.

  Fixpoint wf_scan (begun ended : list nat) (t : trace) : bool :=
    match t with
    | [] => true
    | e :: t' =>
        allowed begun ended e
        && match e with
           | Begin s _ _ _ => wf_scan (s :: begun) ended t'
           | End s _ => wf_scan begun (s :: ended) t'
           | Mark _ _ _ | Link _ _ _ => wf_scan begun ended t'
           end
    end.

  Definition is_wf (t : trace) : bool := wf_scan [] [] t.

  (** ** Basic facts *)

  Lemma mem_spec s l : mem s l = true <-> In s l.
  Proof.
    unfold mem. rewrite existsb_exists. split.
    - intros [x [Hx E]]. apply Nat.eqb_eq in E. now subst.
    - intros H. exists s. now rewrite Nat.eqb_refl.
  Qed.

  Lemma mem_false s l : mem s l = false <-> ~ In s l.
  Proof. rewrite <- mem_spec. destruct (mem s l); split; congruence. Qed.

  Lemma begun_app t u s : begun (t ++ u) s <-> begun t s \/ begun u s.
  Proof.
    unfold begun. split.
    - intros (p & n & a & H). apply in_app_iff in H as [H|H]; [left|right]; eauto.
    - intros [(p & n & a & H)|(p & n & a & H)]; exists p, n, a; apply in_app_iff; auto.
  Qed.

  Lemma ended_app t u s : ended (t ++ u) s <-> ended t s \/ ended u s.
  Proof.
    unfold ended. split.
    - intros (st & H). apply in_app_iff in H as [H|H]; [left|right]; eauto.
    - intros [(st & H)|(st & H)]; exists st; apply in_app_iff; auto.
  Qed.

  Lemma begun_single e s :
    begun [e] s <-> match e with Begin s' _ _ _ => s' = s | _ => False end.
  Proof.
    unfold begun. destruct e as [s' p n a| | |]; simpl; split;
      try (intros (? & ? & ? & [H|[]]); inversion H; auto); try tauto.
    intros <-. exists p, n, a. now left.
  Qed.

  Lemma ended_single e s :
    ended [e] s <-> match e with End s' _ => s' = s | _ => False end.
  Proof.
    unfold ended. destruct e as [|s' st| |]; simpl; split;
      try (intros (? & [H|[]]); inversion H; auto); try tauto.
    intros <-. exists st. now left.
  Qed.

  Lemma begun_nil s : ~ begun [] s.
  Proof. intros (? & ? & ? & []). Qed.

  Lemma ended_nil s : ~ ended [] s.
  Proof. intros (? & []). Qed.

  Lemma WF_app t u : WF (t ++ u) -> WF t.
  Proof.
    intros H pre e post E. apply (H pre e (post ++ u)). subst. now rewrite <- app_assoc.
  Qed.

  Lemma WF_snoc t e : WF (t ++ [e]) <-> WF t /\ ok_event t e.
  Proof.
    split.
    - intros H. split; [eapply WF_app; eauto|]. now apply (H t e []).
    - intros [Ht He] pre e' post E. destruct post as [|x post] using rev_ind.
      + apply app_inj_tail in E as [-> ->]. exact He.
      + apply (Ht pre e' post). rewrite app_comm_cons, app_assoc in E.
        now apply app_inj_tail in E as [-> _].
  Qed.

  Lemma WF_firstn t i : WF t -> WF (firstn i t).
  Proof. intros H. rewrite <- (firstn_skipn i t) in H. eapply WF_app; eauto. Qed.

  (** ** The scan decides WF. *)

  Lemma wf_scan_spec t : forall pre B E,
    (forall s, In s B <-> begun pre s) -> (forall s, In s E <-> ended pre s) ->
    (wf_scan B E t = true <-> forall u e v, t = u ++ e :: v -> ok_event (pre ++ u) e).
  Proof.
    induction t as [|e t IH]; intros pre B E HB HE; simpl.
    - split; [|auto]. intros _ u e v H. now apply app_cons_not_nil in H.
    - assert (Hsplit : (forall u e' v, e :: t = u ++ e' :: v -> ok_event (pre ++ u) e') <->
                       ok_event pre e /\
                       (forall u e' v, t = u ++ e' :: v -> ok_event ((pre ++ [e]) ++ u) e')).
      { split.
        - intros H. split.
          + rewrite <- (app_nil_r pre). now apply (H [] e t).
          + intros u e' v Ht. rewrite <- app_assoc. apply (H (e :: u) e' v). now rewrite Ht.
        - intros [H1 H2] [|x u] e' v Ht; simpl in Ht; inversion Ht; subst.
          + now rewrite app_nil_r.
          + change (x :: u) with ([x] ++ u). rewrite app_assoc. now apply (H2 u e' v). }
      assert (Hok : allowed B E e = true <-> ok_event pre e).
      { destruct e as [s [q|] n a | s st | s n a | s tg a]; simpl; unfold open_in;
          rewrite ?andb_true_r, ?andb_true_iff, ?negb_true_iff, ?mem_false, ?mem_spec, ?HB, ?HE;
          try tauto.
        - split.
          + intros [H1 [H2 H3]]. split; auto. intros q0 Hq. inversion Hq; subst; auto.
          + intros [H1 H2]. destruct (H2 q eq_refl). auto.
        - split; [|tauto]. split; auto. intros; discriminate. }
      rewrite Hsplit, andb_true_iff, Hok. apply and_iff_compat_l.
      destruct e; apply IH; intros x;
        rewrite ?begun_app, ?ended_app, ?begun_single, ?ended_single; simpl;
        rewrite ?HB, ?HE; tauto.
  Qed.

  Theorem is_wf_correct t : is_wf t = true <-> WF t.
  Proof.
    unfold is_wf. rewrite (wf_scan_spec t []).
    - split; intros H u e v E; [apply (H u e v E)|apply (H u e v E)].
    - intros s. split; [intros []|apply begun_nil].
    - intros s. split; [intros []|apply ended_nil].
  Qed.

  (** ** Positions: the [j]-th event (counting from 1) is allowed by the [j - 1] before it. *)

  Lemma WF_at t j e : WF t -> In (j, e) (indexed 1 t) ->
    exists pre post, t = pre ++ e :: post /\ ok_event pre e /\
      (forall i x, In (i, x) (indexed 1 pre) <-> In (i, x) (indexed 1 t) /\ i < j).
  Proof.
    intros H Hj. apply in_indexed in Hj as [Hj1 Hj2].
    apply nth_error_split in Hj2 as (pre & post & E & L).
    exists pre, post. split; [exact E|]. split; [now apply (H pre e post)|].
    intros i x. rewrite E, indexed_app, in_app_iff. split.
    - intros Hi. split; [now left|]. apply in_indexed_bound in Hi. lia.
    - intros [[Hi|Hi] Hlt]; auto. apply in_indexed_bound in Hi. lia.
  Qed.

  Lemma begun_indexed t s :
    begun t s <-> exists i p n a, In (i, Begin s p n a) (indexed 1 t).
  Proof.
    unfold begun. setoid_rewrite (in_indexed_any 1 t). split.
    - intros (p & n & a & i & H). eauto.
    - intros (i & p & n & a & H). eauto.
  Qed.

  Lemma ended_indexed t s :
    ended t s <-> exists i st, In (i, End s st) (indexed 1 t).
  Proof.
    unfold ended. setoid_rewrite (in_indexed_any 1 t). split.
    - intros (st & i & H). eauto.
    - intros (i & st & H). eauto.
  Qed.
End Vocabulary.
