/**
 * One time step of each recurrent cell, in PyTorch's equations and gate
 * order. The input half of every gate (x·W_ihᵀ + b_ih) is computed for all
 * time steps at once before the scan, so a step only multiplies by W_hh.
 *
 * RNN:  h' = act(xp + h·W_hhᵀ + b_hh)
 * LSTM: [i, f, g, o] = xp + h·W_hhᵀ + b_hh (four slices of width H)
 *       c' = σ(f)⊙c + σ(i)⊙tanh(g),  h' = σ(o)⊙tanh(c')
 * GRU:  [r, z, n]: r = σ(xp_r + hp_r), z = σ(xp_z + hp_z) with hp = h·W_hhᵀ + b_hh,
 *       n = tanh(xp_n + r⊙hp_n),  h' = (1 − z)⊙n + z⊙h
 */
import type { Tensor } from "../../core/tensor.js";
import { add, mul, relu, sigmoid, sub, tanh } from "../../ops/elementwise.js";
import { matmul } from "../../ops/matmul.js";
import { slice } from "../../ops/indexing.js";

export type CellKind = "rnn_tanh" | "rnn_relu" | "lstm" | "gru";

/** Gates per cell: rows of W_ih and W_hh are gates · hidden. */
export const GATES: Record<CellKind, number> = { rnn_tanh: 1, rnn_relu: 1, lstm: 4, gru: 3 };

/** The recurrent weights of one layer and direction, W_hh already transposed to [H, G·H]. */
export interface StepWeights {
  whhT: Tensor;
  bhh: Tensor | null;
}

/** Gate k (of width H) of a [..., G·H] tensor. */
const gate = (t: Tensor, k: number, H: number) => slice(t, "...", [k * H, (k + 1) * H]);

function hiddenProjection(h: Tensor, w: StepWeights): Tensor {
  const hp = matmul(h, w.whhT);
  return w.bhh ? add(hp, w.bhh) : hp;
}

/** One step: (carried state, input projection xp [B, G·H]) → new state; state is [h] or [h, c] (LSTM). */
export function cellStep(kind: CellKind, state: Tensor[], xp: Tensor, w: StepWeights, H: number): Tensor[] {
  const h = state[0]!;
  const hp = hiddenProjection(h, w);
  switch (kind) {
    case "rnn_tanh": return [tanh(add(xp, hp))];
    case "rnn_relu": return [relu(add(xp, hp))];
    case "lstm": {
      const pre = add(xp, hp);
      const i = sigmoid(gate(pre, 0, H)), f = sigmoid(gate(pre, 1, H)), g = tanh(gate(pre, 2, H)), o = sigmoid(gate(pre, 3, H));
      const c = add(mul(f, state[1]!), mul(i, g));
      return [mul(o, tanh(c)), c];
    }
    case "gru": {
      const r = sigmoid(add(gate(xp, 0, H), gate(hp, 0, H)));
      const z = sigmoid(add(gate(xp, 1, H), gate(hp, 1, H)));
      const n = tanh(add(gate(xp, 2, H), mul(r, gate(hp, 2, H))));
      return [add(n, mul(z, sub(h, n)))];
    }
    default: return kind satisfies never;
  }
}
