(** * Theorems: the main results, in one place (docs/theory.md)

    Every statement is universally quantified over the abstract types [Name] and [Payload]
    (section variables): no axioms, no parameters. [Print Assumptions] of each says
    "Closed under the global context"; tests/unit/proofs/test_coq_build.py checks it.

    Forests are lists of span records in increasing span-id order, so [=] on forests is Python's
    [Forest] (mapping) equality; [=] on traces is equality of event sequences. *)

From Coq Require Import List.
From Cspotlp Require Import Prelim Vocabulary Forest Correspondence PsiWF PhiPsi PsiPhi Prefix.

Section MainTheorems.
  Context {Name Payload : Type}.
  Local Notation trace := (list (event Name Payload)).
  Local Notation forest := (forest Name Payload).

  (** T1: Ψ(F) is WF for every valid forest F. *)
  Theorem T1 (F : forest) : valid F -> WF (psi F).
  Proof. apply T1_psi_wf. Qed.

  (** T2: Φ(Ψ(F)) = norm(F) for every valid forest F. *)
  Theorem T2 (F : forest) : valid F -> phi (psi F) = norm F.
  Proof. apply T2_phi_psi. Qed.

  (** T3: Ψ(Φ(t)) = t for every WF trace t. *)
  Theorem T3 (t : trace) : WF t -> psi (phi t) = t.
  Proof. apply T3_psi_phi. Qed.

  (** T4: norm(Φ(t)) = Φ(t) for every WF trace t. *)
  Theorem T4 (t : trace) : WF t -> norm (phi t) = phi t.
  Proof. apply T4_norm_phi. Qed.

  (** T5: Φ(t↾i) = cut_i(Φ(t)) for every WF trace t and every i. *)
  Theorem T5 (t : trace) (i : nat) : WF t -> phi (prefix t i) = cut (phi t) i.
  Proof. apply T5_phi_prefix. Qed.

  (** Φ maps WF traces to valid, normalised forests ... *)
  Theorem phi_valid_normalised (t : trace) : WF t -> valid (phi t) /\ normalised (phi t).
  Proof. intros W. split; [apply phi_valid|apply phi_normalised]; exact W. Qed.

  (** ... and norm maps valid forests to normalised ones. *)
  Theorem norm_normalised (F : forest) : valid F -> normalised (norm F).
  Proof. intros V. rewrite <- T2 by exact V. apply phi_normalised, T1, V. Qed.

  (** Φ is injective on WF traces (Ψ is its left inverse). *)
  Theorem phi_injective (t u : trace) : WF t -> WF u -> phi t = phi u -> t = u.
  Proof. intros Wt Wu E. rewrite <- (T3 t Wt), <- (T3 u Wu). now rewrite E. Qed.

  (** The executable check [is_wf] (Python's [wf_violation] scan) decides WF. *)
  Theorem is_wf_decides_WF (t : trace) : is_wf t = true <-> WF t.
  Proof. apply is_wf_correct. Qed.
End MainTheorems.
