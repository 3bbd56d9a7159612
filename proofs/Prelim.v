(** * Prelim: generic list facts for the correspondence proofs

    Python's [enumerate], a filter-map, insertion sort (Python's [sorted]), the lexicographic order
    on tuples of naturals (Python's tuple comparison), and the fact that a list strictly sorted by
    a key is determined by its elements. Nothing here mentions spans. *)

From Coq Require Import List Arith Bool Lia Sorted Permutation.
Import ListNotations.

(** ** [indexed i l] is Python's [enumerate(l, start=i)]. *)

Fixpoint indexed {A : Type} (i : nat) (l : list A) : list (nat * A) :=
  match l with
  | [] => []
  | x :: l' => (i, x) :: indexed (S i) l'
  end.

Lemma indexed_length {A} i (l : list A) : length (indexed i l) = length l.
Proof. revert i; induction l; intros i; simpl; auto. Qed.

Lemma indexed_app {A} i (l1 l2 : list A) :
  indexed i (l1 ++ l2) = indexed i l1 ++ indexed (i + length l1) l2.
Proof.
  revert i; induction l1 as [|x l1 IH]; intros i; simpl.
  - now rewrite Nat.add_0_r.
  - rewrite IH. now replace (S i + length l1) with (i + S (length l1)) by lia.
Qed.

Lemma map_snd_indexed {A} i (l : list A) : map snd (indexed i l) = l.
Proof. revert i; induction l; intros i; simpl; f_equal; auto. Qed.

Lemma map_fst_indexed {A} i (l : list A) : map fst (indexed i l) = seq i (length l).
Proof. revert i; induction l; intros i; simpl; f_equal; auto. Qed.

Lemma in_indexed {A} i (l : list A) k x :
  In (k, x) (indexed i l) <-> i <= k /\ nth_error l (k - i) = Some x.
Proof.
  revert i; induction l as [|y l IH]; intros i; simpl.
  - split; [tauto|]. intros [_ H]. destruct (k - i); discriminate.
  - rewrite IH. split.
    + intros [H|[H1 H2]].
      * inversion H; subst. rewrite Nat.sub_diag. auto.
      * split; [lia|]. replace (k - i) with (S (k - S i)) by lia. exact H2.
    + intros [H1 H2]. destruct (Nat.eq_dec k i) as [->|Hne].
      * rewrite Nat.sub_diag in H2. simpl in H2. inversion H2; subst. auto.
      * right. split; [lia|]. replace (k - i) with (S (k - S i)) in H2 by lia. exact H2.
Qed.

Lemma in_indexed_any {A} i (l : list A) x : In x l <-> exists k, In (k, x) (indexed i l).
Proof.
  rewrite <- (map_snd_indexed i l) at 1. rewrite in_map_iff. split.
  - intros [[k y] [<- H]]. eauto.
  - intros [k H]. exists (k, x). auto.
Qed.

Lemma in_indexed_bound {A} i (l : list A) k x :
  In (k, x) (indexed i l) -> i <= k < i + length l.
Proof.
  intros H. apply in_indexed in H as [H1 H2].
  assert (k - i < length l) by (apply nth_error_Some; congruence). lia.
Qed.

Lemma in_indexed_functional {A} i (l : list A) k x y :
  In (k, x) (indexed i l) -> In (k, y) (indexed i l) -> x = y.
Proof. rewrite !in_indexed. intros [_ H1] [_ H2]. congruence. Qed.

(** ** Strictly sorted lists *)

Lemma seq_sorted i n : StronglySorted lt (seq i n).
Proof.
  revert i; induction n as [|n IH]; intros i; simpl; constructor; auto.
  apply Forall_forall. intros x Hx. apply in_seq in Hx. lia.
Qed.

Lemma indexed_sorted {A} i (l : list A) : StronglySorted lt (map fst (indexed i l)).
Proof. rewrite map_fst_indexed. apply seq_sorted. Qed.

(** Two lists strictly sorted by a key and holding the same elements are equal. *)
Lemma sorted_ext {A} (f : A -> nat) (l1 l2 : list A) :
  StronglySorted lt (map f l1) -> StronglySorted lt (map f l2) ->
  (forall x, In x l1 <-> In x l2) -> l1 = l2.
Proof.
  revert l2; induction l1 as [|a l1 IH]; intros [|b l2] S1 S2 Heq.
  - reflexivity.
  - exfalso. apply (proj2 (Heq b)). now left.
  - exfalso. apply (proj1 (Heq a)). now left.
  - simpl in S1, S2.
    apply StronglySorted_inv in S1 as [S1 F1]. apply StronglySorted_inv in S2 as [S2 F2].
    rewrite Forall_forall in F1, F2.
    assert (a = b) as <-.
    { destruct (proj1 (Heq a) (or_introl eq_refl)) as [|Ha]; [congruence|].
      destruct (proj2 (Heq b) (or_introl eq_refl)) as [|Hb]; [congruence|].
      specialize (F1 (f b) (in_map f _ _ Hb)). specialize (F2 (f a) (in_map f _ _ Ha)). lia. }
    f_equal. apply IH; auto. intros x. split; intros Hx.
    + destruct (proj1 (Heq x) (or_intror Hx)) as [E|H']; [subst x|exact H'].
      specialize (F1 (f a) (in_map f _ _ Hx)); lia.
    + destruct (proj2 (Heq x) (or_intror Hx)) as [E|H']; [subst x|exact H'].
      specialize (F2 (f a) (in_map f _ _ Hx)); lia.
Qed.

(** In a list strictly sorted by a key, the key identifies the element. *)
Lemma sorted_key_unique {A} (f : A -> nat) l x y :
  StronglySorted lt (map f l) -> In x l -> In y l -> f x = f y -> x = y.
Proof.
  induction l as [|a l IH]; simpl; [tauto|]. intros S Hx Hy E.
  apply StronglySorted_inv in S as [S F]. rewrite Forall_forall in F.
  destruct Hx as [<-|Hx], Hy as [<-|Hy]; auto.
  - specialize (F (f y) (in_map f _ _ Hy)); lia.
  - specialize (F (f x) (in_map f _ _ Hx)); lia.
Qed.

Lemma sorted_nodup l : StronglySorted lt l -> NoDup l.
Proof.
  induction 1 as [|a l _ IH H]; constructor; auto.
  rewrite Forall_forall in H. intros Ha. specialize (H a Ha). lia.
Qed.

Lemma sorted_filter {A} (f : A -> nat) (p : A -> bool) l :
  StronglySorted lt (map f l) -> StronglySorted lt (map f (filter p l)).
Proof.
  induction l as [|a l IH]; simpl; [auto|]. intros S.
  apply StronglySorted_inv in S as [S F]. destruct (p a); simpl; auto.
  constructor; auto. rewrite Forall_forall in *. intros y Hy.
  apply in_map_iff in Hy as [x [<- Hx]]. apply filter_In in Hx as [Hx _].
  apply F, in_map, Hx.
Qed.

(** Turning a non-strict order into a strict one when keys are distinct. *)
Lemma strongly_sorted_strict {A B} (R R' : A -> A -> Prop) (f : A -> B) l :
  StronglySorted R l -> NoDup (map f l) ->
  (forall x y, R x y -> f x <> f y -> R' x y) -> StronglySorted R' l.
Proof.
  intros S N H. induction S as [|a l S IH F]; constructor.
  - apply IH. now inversion N.
  - inversion N as [|? ? Hnot _]; subst. rewrite Forall_forall in *. intros y Hy.
    apply H; auto. intros E. apply Hnot. rewrite E. now apply in_map.
Qed.

Lemma sorted_le_strict (l : list nat) : Sorted le l -> NoDup l -> StronglySorted lt l.
Proof.
  intros S N. apply Sorted_StronglySorted in S; [|exact Nat.le_trans].
  rewrite <- (map_id l) in N. eapply strongly_sorted_strict; eauto.
  simpl. intros; lia.
Qed.

Lemma sorted_map {A} (f : A -> nat) (R : A -> A -> Prop) l :
  (forall x y, R x y -> f x <= f y) -> Sorted R l -> Sorted le (map f l).
Proof.
  intros H S. induction S as [|a l S IH Hd]; simpl; constructor; auto.
  destruct Hd; simpl; constructor. auto.
Qed.

Lemma nodup_app_intro {A} (l1 l2 : list A) :
  NoDup l1 -> NoDup l2 -> (forall x, In x l1 -> ~ In x l2) -> NoDup (l1 ++ l2).
Proof.
  induction 1 as [|a l1 Ha N1 IH]; simpl; auto. intros N2 D.
  constructor.
  - rewrite in_app_iff. intros [H|H]; [tauto|]. apply (D a); auto.
  - apply IH; auto.
Qed.

(** Keys distinct on a list, when a finer key is. *)
Lemma nodup_map_coarser {A B C} (f : A -> B) (g : A -> C) l :
  NoDup (map g l) -> (forall x y, In x l -> In y l -> f x = f y -> g x = g y) ->
  NoDup (map f l).
Proof.
  induction l as [|a l IH]; simpl; intros N H; constructor.
  - inversion N as [|? ? Hn _]; subst. intros Hin. apply in_map_iff in Hin as [y [Hy Hin]].
    apply Hn. rewrite (H a y); auto. now apply in_map.
  - inversion N; subst. apply IH; auto.
Qed.

(** ** A filter-map: keep [g x] for the [x] where it is defined. *)

Fixpoint filter_map {A B} (g : A -> option B) (l : list A) : list B :=
  match l with
  | [] => []
  | x :: l' => match g x with Some y => y :: filter_map g l' | None => filter_map g l' end
  end.

Lemma in_filter_map {A B} (g : A -> option B) l y :
  In y (filter_map g l) <-> exists x, In x l /\ g x = Some y.
Proof.
  induction l as [|x l IH]; simpl.
  - split; [tauto|]. intros [? [[] _]].
  - destruct (g x) as [z|] eqn:E; simpl; rewrite IH; split.
    + intros [<-|[x' [H1 H2]]]; eauto.
    + intros [x' [[<-|H1] H2]]; [left; congruence|eauto].
    + intros [x' [H1 H2]]; eauto.
    + intros [x' [[<-|H1] H2]]; [congruence|eauto].
Qed.

Lemma filter_map_app {A B} (g : A -> option B) l1 l2 :
  filter_map g (l1 ++ l2) = filter_map g l1 ++ filter_map g l2.
Proof. induction l1 as [|x l1 IH]; simpl; auto. destruct (g x); simpl; now rewrite IH. Qed.

Lemma filter_map_sorted {A B} (f : A -> nat) (h : B -> nat) (g : A -> option B) l :
  (forall x y, g x = Some y -> h y = f x) ->
  StronglySorted lt (map f l) -> StronglySorted lt (map h (filter_map g l)).
Proof.
  intros Hg. induction l as [|x l IH]; simpl; [auto|]. intros S.
  apply StronglySorted_inv in S as [S F]. destruct (g x) as [y|] eqn:E; simpl; auto.
  constructor; auto. rewrite Forall_forall in *. intros z Hz.
  apply in_map_iff in Hz as [w [<- Hw]]. apply in_filter_map in Hw as [v [Hv Hgv]].
  rewrite (Hg _ _ E), (Hg _ _ Hgv). apply F, in_map, Hv.
Qed.

Lemma filter_map_filter {A B} (g : A -> option B) (p : A -> bool) (q : B -> bool) l :
  (forall x y, g x = Some y -> q y = p x) ->
  filter_map g (filter p l) = filter q (filter_map g l).
Proof.
  intros H. induction l as [|x l IH]; simpl; auto.
  destruct (g x) as [y|] eqn:E; destruct (p x) eqn:Ep; simpl; rewrite ?E, ?IH; auto.
  - now rewrite (H _ _ E), Ep.
  - now rewrite (H _ _ E), Ep.
Qed.

(** ** Insertion sort: Python's [sorted] (stable) for a total preorder given as [leb]. *)

Section InsertionSort.
  Context {A : Type} (leb : A -> A -> bool).

  Fixpoint insert (x : A) (l : list A) : list A :=
    match l with
    | [] => [x]
    | y :: l' => if leb x y then x :: l else y :: insert x l'
    end.

  Fixpoint isort (l : list A) : list A :=
    match l with
    | [] => []
    | x :: l' => insert x (isort l')
    end.

  Lemma insert_perm x l : Permutation (x :: l) (insert x l).
  Proof.
    induction l as [|y l IH]; simpl; auto. destruct (leb x y); auto.
    eapply perm_trans; [apply perm_swap|]. auto.
  Qed.

  Lemma isort_perm l : Permutation l (isort l).
  Proof.
    induction l as [|x l IH]; simpl; auto.
    eapply perm_trans; [apply perm_skip; exact IH|apply insert_perm].
  Qed.

  Hypothesis leb_total : forall x y, leb x y = true \/ leb y x = true.

  Lemma insert_sorted x l :
    Sorted (fun a b => leb a b = true) l -> Sorted (fun a b => leb a b = true) (insert x l).
  Proof.
    induction 1 as [|y l S IH Hd]; simpl; [auto|].
    destruct (leb x y) eqn:E.
    - constructor; auto.
    - assert (leb y x = true) by (destruct (leb_total x y); congruence).
      constructor; auto.
      destruct l as [|z l']; simpl; [auto|].
      destruct (leb x z); constructor; auto. now inversion Hd.
  Qed.

  Lemma isort_sorted l : Sorted (fun a b => leb a b = true) (isort l).
  Proof. induction l; simpl; auto using insert_sorted. Qed.
End InsertionSort.

(** ** Lexicographic order on tuples of naturals (Python's tuple comparison). *)

Fixpoint lex_lt (k1 k2 : list nat) : Prop :=
  match k1, k2 with
  | [], [] => False
  | [], _ :: _ => True
  | _ :: _, [] => False
  | a :: r1, b :: r2 => a < b \/ (a = b /\ lex_lt r1 r2)
  end.

Fixpoint lex_ltb (k1 k2 : list nat) : bool :=
  match k1, k2 with
  | [], [] => false
  | [], _ :: _ => true
  | _ :: _, [] => false
  | a :: r1, b :: r2 => (a <? b) || ((a =? b) && lex_ltb r1 r2)
  end.

(** [lex_leb k1 k2]: [k1 <= k2] as tuples. *)
Definition lex_leb (k1 k2 : list nat) : bool := negb (lex_ltb k2 k1).

Lemma lex_ltb_spec k1 k2 : lex_ltb k1 k2 = true <-> lex_lt k1 k2.
Proof.
  revert k2; induction k1 as [|a r1 IH]; intros [|b r2]; simpl; try tauto; try easy.
  rewrite orb_true_iff, andb_true_iff, Nat.ltb_lt, Nat.eqb_eq, IH. tauto.
Qed.

Lemma lex_lt_irrefl k : ~ lex_lt k k.
Proof. induction k as [|a r IH]; simpl; [tauto|]. intros [H|[_ H]]; [lia|auto]. Qed.

Lemma lex_lt_trans a b c : lex_lt a b -> lex_lt b c -> lex_lt a c.
Proof.
  revert b c; induction a as [|x a IH]; intros [|y b] [|z c]; simpl; try tauto.
  intros [H1|[-> H1]] [H2|[-> H2]]; eauto; left; lia.
Qed.

Lemma lex_lt_trichotomy a b : lex_lt a b \/ a = b \/ lex_lt b a.
Proof.
  revert b; induction a as [|x a IH]; intros [|y b]; simpl; auto.
  destruct (lt_eq_lt_dec x y) as [[H| ->]|H]; auto.
  destruct (IH b) as [H|[ ->|H]]; auto.
Qed.

Lemma lex_leb_spec k1 k2 : lex_leb k1 k2 = true <-> ~ lex_lt k2 k1.
Proof.
  unfold lex_leb. rewrite negb_true_iff, <- lex_ltb_spec.
  destruct (lex_ltb k2 k1); split; congruence.
Qed.

Lemma lex_leb_total k1 k2 : lex_leb k1 k2 = true \/ lex_leb k2 k1 = true.
Proof.
  rewrite !lex_leb_spec. destruct (lex_lt_trichotomy k1 k2) as [H|[ ->|H]].
  - left. intros H'. exact (lex_lt_irrefl _ (lex_lt_trans _ _ _ H H')).
  - left. apply lex_lt_irrefl.
  - right. intros H'. exact (lex_lt_irrefl _ (lex_lt_trans _ _ _ H H')).
Qed.

Lemma lex_leb_trans a b c : lex_leb a b = true -> lex_leb b c = true -> lex_leb a c = true.
Proof.
  rewrite !lex_leb_spec. intros H1 H2 H3.
  destruct (lex_lt_trichotomy a b) as [H|[<-|H]]; auto.
  - exact (H2 (lex_lt_trans _ _ _ H3 H)).
Qed.

Lemma lex_le_lt k1 k2 : ~ lex_lt k2 k1 -> k1 <> k2 -> lex_lt k1 k2.
Proof. intros H1 H2. destruct (lex_lt_trichotomy k1 k2) as [H|[H|H]]; tauto. Qed.

(** ** Counting, for the termination of parent walks. *)

Lemma filter_length_le {A} (f g : A -> bool) (l : list A) :
  (forall y, In y l -> f y = true -> g y = true) ->
  length (filter f l) <= length (filter g l).
Proof.
  induction l as [|a l IH]; simpl; auto. intros H.
  destruct (f a) eqn:Ef.
  - rewrite (H a (or_introl eq_refl) Ef). simpl. apply le_n_S, IH. auto.
  - destruct (g a); simpl; [apply le_S|]; apply IH; auto.
Qed.

Lemma filter_length_lt {A} (f g : A -> bool) (l : list A) x :
  (forall y, In y l -> f y = true -> g y = true) ->
  In x l -> f x = false -> g x = true ->
  length (filter f l) < length (filter g l).
Proof.
  induction l as [|a l IH]; simpl; [tauto|]. intros H [<-|Hx] Hf Hg.
  - rewrite Hf, Hg. simpl. apply le_n_S, filter_length_le. auto.
  - destruct (f a) eqn:Ef.
    + rewrite (H a (or_introl eq_refl) Ef). simpl. apply le_n_S, IH; auto.
    + destruct (g a); simpl; [apply Nat.lt_lt_succ_r|]; apply IH; auto.
Qed.

(** ** [position p l i]: the index (counting from [i]) of the first element satisfying [p]. *)

Fixpoint position {A} (p : A -> bool) (l : list A) (i : nat) : nat :=
  match l with
  | [] => 0
  | x :: l' => if p x then i else position p l' (S i)
  end.

Lemma position_nth {A} (p : A -> bool) l i j x :
  nth_error l j = Some x -> p x = true ->
  (forall j' y, j' < j -> nth_error l j' = Some y -> p y = false) ->
  position p l i = i + j.
Proof.
  revert i j; induction l as [|y l IH]; intros i [|j] Hx Hp Hbefore; simpl in *; try discriminate.
  - inversion Hx; subst. rewrite Hp. lia.
  - rewrite (Hbefore 0 y) by (simpl; auto || lia).
    rewrite (IH (S i) j); auto; [lia|].
    intros j' z Hj Hz. apply (Hbefore (S j')); auto. lia.
Qed.

(** In a list whose images under [f] are distinct, two positions with the same image agree. *)
Lemma nodup_map_nth {A B} (f : A -> B) l j1 j2 x1 x2 :
  NoDup (map f l) -> nth_error l j1 = Some x1 -> nth_error l j2 = Some x2 -> f x1 = f x2 ->
  j1 = j2.
Proof.
  intros N H1 H2 E. apply (proj1 (NoDup_nth_error _) N).
  - rewrite map_length. apply nth_error_Some. congruence.
  - rewrite !nth_error_map, H1, H2. simpl. now rewrite E.
Qed.

(** ** More on strictly sorted lists *)

Lemma ss_before {A} (R : A -> A -> Prop) l1 x l2 y :
  StronglySorted R (l1 ++ x :: l2) -> In y l1 -> R y x.
Proof.
  induction l1 as [|a l1 IH]; simpl; [tauto|]. intros S [<-|Hy].
  - apply StronglySorted_inv in S as [_ F]. rewrite Forall_forall in F.
    apply F, in_app_iff. right. now left.
  - apply StronglySorted_inv in S as [S _]. auto.
Qed.

Lemma ss_after {A} (R : A -> A -> Prop) l1 x l2 y :
  StronglySorted R (l1 ++ x :: l2) -> In y l2 -> R x y.
Proof.
  induction l1 as [|a l1 IH]; simpl; intros S Hy.
  - apply StronglySorted_inv in S as [_ F]. rewrite Forall_forall in F. auto.
  - apply StronglySorted_inv in S as [S _]. auto.
Qed.

Lemma strongly_sorted_map {A} (R : A -> A -> Prop) (f : A -> nat) l :
  StronglySorted R l -> (forall x y, In x l -> In y l -> R x y -> f x < f y) ->
  StronglySorted lt (map f l).
Proof.
  induction 1 as [|a l S IH F]; simpl; intros H; constructor.
  - apply IH. intros x y Hx Hy. apply H; auto.
  - rewrite Forall_forall in *. intros z Hz. apply in_map_iff in Hz as [x [<- Hx]].
    apply H; auto.
Qed.

(** A list strictly sorted by a key whose elements are all equal has at most one element. *)
Lemma sorted_all_equal {A} (f : A -> nat) l :
  StronglySorted lt (map f l) -> (forall x y, In x l -> In y l -> x = y) -> length l <= 1.
Proof.
  destruct l as [|a [|b l]]; simpl; auto. intros S H. exfalso.
  apply StronglySorted_inv in S as [_ F]. inversion F as [|? ? Hab _]; subst.
  rewrite (H a b) in Hab by auto. lia.
Qed.

Lemma in_indexed_in {A} i (l : list A) k x : In (k, x) (indexed i l) -> In x l.
Proof. intros H. apply (in_indexed_any i). eauto. Qed.

Lemma indexed_firstn {A} k n (l : list A) :
  indexed k (firstn n l) = filter (fun x => fst x <? k + n) (indexed k l).
Proof.
  revert k n; induction l as [|x l IH]; intros k n; simpl.
  - now destruct n.
  - destruct n as [|n]; simpl.
    + rewrite Nat.add_0_r, Nat.ltb_irrefl. symmetry.
      assert (forall j, k <= j -> filter (fun x : nat * A => fst x <? k) (indexed j l) = []).
      { clear. induction l as [|y l IH]; intros j Hj; simpl; auto.
        replace (j <? k) with false by (symmetry; apply Nat.ltb_ge; lia). apply IH. lia. }
      apply H. lia.
    + replace (k <? k + S n) with true by (symmetry; apply Nat.ltb_lt; lia).
      f_equal. rewrite IH. f_equal. now replace (S k + n) with (k + S n) by lia.
Qed.
