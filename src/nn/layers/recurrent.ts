/**
 * Recurrent layers: nn.RNN, nn.LSTM, nn.GRU. Batch-first ([B, T, features],
 * or unbatched [T, features]), any number of stacked layers, optionally
 * bidirectional, with an initial state in and the final state out. Each
 * layer and direction is one `fx.scan` over time, so `jit` compiles the step
 * once and `grad` backpropagates through time with a reverse scan.
 *
 * Parameters use PyTorch's names, shapes and gate order, so weights
 * interchange with `torch.nn.RNN/LSTM/GRU` state dicts:
 *   weight_ih_l{k}[_reverse] [G·H, in], weight_hh_l{k}[_reverse] [G·H, H],
 *   bias_ih_l{k}[_reverse] [G·H], bias_hh_l{k}[_reverse] [G·H],
 * with G = 1 (RNN), 4 (LSTM: i, f, g, o) or 3 (GRU: r, z, n), and in = the
 * input size for layer 0, H·directions after. All start U(−1/√H, 1/√H).
 */
import type { DType } from "../../core/dtype.js";
import { ShapeError, ValueError, fmtShape } from "../../core/errors.js";
import type { Tensor } from "../../core/tensor.js";
import type { Key } from "../../random/index.js";
import { scan } from "../../control/scan.js";
import { zeros } from "../../ops/creation.js";
import { add } from "../../ops/elementwise.js";
import { matmul } from "../../ops/matmul.js";
import { concatenate, expandDims, squeeze, stack, swapaxes, transpose } from "../../ops/shape.js";
import { slice } from "../../ops/indexing.js";
import { Module, type ForwardOptions } from "../module.js";
import { uniform } from "../init.js";
import { Dropout } from "./dropout.js";
import { positiveInt, requireKey, splitKey } from "./common.js";
import { GATES, cellStep, type CellKind } from "./recurrent-cells.js";

export interface RecurrentOptions {
  key: Key;
  /** Stacked layers; layer k+1 reads layer k's outputs (default 1). */
  numLayers?: number;
  /** Also run each layer from the last step to the first and concatenate both outputs (default false). */
  bidirectional?: boolean;
  /** Learn b_ih and b_hh (default true). */
  bias?: boolean;
  /** Dropout on the outputs of every layer but the last, in training mode (default 0). */
  dropout?: number;
  dtype?: DType;
}

export interface RNNOptions extends RecurrentOptions {
  /** The RNN's activation (default "tanh"). */
  nonlinearity?: "tanh" | "relu";
}

/** Options of a recurrent forward pass. */
export interface RecurrentForwardOptions<S> extends ForwardOptions {
  /** The state before the first step (default zeros); see each layer for its form. */
  initialState?: S;
}

/** The names of one layer's parameters in one direction. */
export function recurrentParamNames(layer: number, reverse: boolean): { weightIh: string; weightHh: string; biasIh: string; biasHh: string } {
  const s = `_l${layer}${reverse ? "_reverse" : ""}`;
  return { weightIh: `weight_ih${s}`, weightHh: `weight_hh${s}`, biasIh: `bias_ih${s}`, biasHh: `bias_hh${s}` };
}

/**
 * What the three layers share. The state S is h [layers·directions, B, H]
 * for RNN and GRU and [h, c] for LSTM (as PyTorch's (h_n, c_n)).
 */
export abstract class RecurrentBase<S> extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bidirectional: boolean;
  readonly bias: boolean;
  readonly dropout: number;
  readonly cell: CellKind;

  protected constructor(name: string, cell: CellKind, inputSize: number, hiddenSize: number, opts: RecurrentOptions) {
    super();
    this.inputSize = positiveInt(name, "inputSize", inputSize);
    this.hiddenSize = positiveInt(name, "hiddenSize", hiddenSize);
    this.numLayers = positiveInt(name, "numLayers", opts.numLayers ?? 1);
    this.bidirectional = opts.bidirectional ?? false;
    this.bias = opts.bias ?? true;
    this.dropout = opts.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new ValueError(`${name}: dropout must be in [0, 1), got ${this.dropout}`);
    this.cell = cell;
    const dtype = opts.dtype ?? "float32";
    const H = this.hiddenSize, G = GATES[cell], D = this.directions;
    const bound = 1 / Math.sqrt(H);
    const init = (key: Key, shape: number[]) => uniform(key, shape, { low: -bound, high: bound, dtype });
    const keys = splitKey(requireKey(name, opts?.key), this.numLayers * D * 4);
    const fields = this as unknown as Record<string, Tensor>;
    let k = 0;
    for (let l = 0; l < this.numLayers; l++) {
      const inF = l === 0 ? this.inputSize : H * D;
      for (let d = 0; d < D; d++) {
        const n = recurrentParamNames(l, d === 1);
        fields[n.weightIh] = init(keys[k++]!, [G * H, inF]);
        fields[n.weightHh] = init(keys[k++]!, [G * H, H]);
        if (this.bias) {
          fields[n.biasIh] = init(keys[k++]!, [G * H]);
          fields[n.biasHh] = init(keys[k++]!, [G * H]);
        } else k += 2;
      }
    }
  }

  get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** One layer's parameters in one direction (biases are null without bias). */
  parameters(layer: number, reverse = false): { weightIh: Tensor; weightHh: Tensor; biasIh: Tensor | null; biasHh: Tensor | null } {
    if (!Number.isInteger(layer) || layer < 0 || layer >= this.numLayers) throw new ValueError(`${this.constructor.name}.parameters: layer ${layer} is out of range for ${this.numLayers} layers`);
    if (reverse && !this.bidirectional) throw new ValueError(`${this.constructor.name}.parameters: a unidirectional layer has no reverse parameters`);
    const n = recurrentParamNames(layer, reverse);
    const f = this as unknown as Record<string, Tensor | undefined>;
    return { weightIh: f[n.weightIh]!, weightHh: f[n.weightHh]!, biasIh: f[n.biasIh] ?? null, biasHh: f[n.biasHh] ?? null };
  }

  /** The state as a list of [L·D, B, H] tensors (h, and c for LSTM). */
  protected abstract stateParts(state: S): Tensor[];
  protected abstract fromParts(parts: Tensor[]): S;

  /** Output [B, T, D·H] (the last layer's h at every step; both directions concatenated). */
  override forward(x: Tensor, opts: RecurrentForwardOptions<S> = {}): Tensor {
    return this.forwardWithState(x, opts.initialState, opts)[0];
  }

  /**
   * Runs the sequence and also returns the final state (per layer and
   * direction, PyTorch's order: layer-major, forward before reverse). For a
   * reverse direction the "final" state is the one after reading step 0.
   */
  forwardWithState(x: Tensor, initialState?: S | null, opts: ForwardOptions = {}): [Tensor, S] {
    const name = this.constructor.name;
    const unbatched = x.ndim === 2;
    if ((x.ndim !== 3 && !unbatched) || x.shape[x.ndim - 1] !== this.inputSize) {
      throw new ShapeError(`${name}: expected an input [batch, time, ${this.inputSize}] (or [time, ${this.inputSize}]), got ${fmtShape(x.shape)}`);
    }
    const xb = unbatched ? expandDims(x, 0) : x;
    const B = xb.shape[0]!, T = xb.shape[1]!, H = this.hiddenSize, D = this.directions, LD = this.numLayers * D;
    const nParts = this.cell === "lstm" ? 2 : 1;
    let parts: Tensor[];
    if (initialState === undefined || initialState === null) {
      parts = Array.from({ length: nParts }, () => zeros([LD, B, H], xb.dtype));
    } else {
      parts = this.stateParts(initialState).map((p, i) => {
        const want = unbatched ? [LD, H] : [LD, B, H];
        if (p.shape.length !== want.length || p.shape.some((d, j) => d !== want[j])) {
          throw new ShapeError(`${name}: initial state ${nParts === 2 ? ["h", "c"][i] + " " : ""}must be ${fmtShape(want)} (layers·directions, ${unbatched ? "" : "batch, "}hidden), got ${fmtShape(p.shape)}`);
        }
        return unbatched ? expandDims(p, 1) : p;
      });
    }
    if (T === 0) throw new ShapeError(`${name}: the sequence is empty (input of shape ${fmtShape(x.shape)})`);
    const dropKeys = opts.training && this.dropout > 0 && this.numLayers > 1 ? splitKey(requireKey(`${name} dropout`, opts.key), this.numLayers) : null;
    let seq = swapaxes(xb, 0, 1); // [T, B, F]: scan runs over axis 0
    const finals: Tensor[][] = parts.map(() => []);
    for (let l = 0; l < this.numLayers; l++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        const idx = l * D + d;
        const init = parts.map((p) => squeeze(slice(p, [idx, idx + 1]), 0));
        const [last, ys] = this.runDirection(seq, init, l, d === 1);
        last.forEach((s, i) => finals[i]!.push(s));
        outs.push(ys);
      }
      seq = D === 2 ? concatenate(outs, -1) : outs[0]!;
      if (dropKeys && l < this.numLayers - 1) seq = new Dropout(this.dropout).forward(seq, { training: true, key: dropKeys[l] });
    }
    let y = swapaxes(seq, 0, 1);
    let state = finals.map((f) => stack(f, 0));
    if (unbatched) {
      y = squeeze(y, 0);
      state = state.map((s) => squeeze(s, 1));
    }
    return [y, this.fromParts(state)];
  }

  /** One layer, one direction: a scan over seq [T, B, F] from `init`; returns the final state and h at every step [T, B, H]. */
  private runDirection(seq: Tensor, init: Tensor[], layer: number, reverse: boolean): [Tensor[], Tensor] {
    const p = this.parameters(layer, reverse);
    let xp = matmul(seq, transpose(p.weightIh));
    if (p.biasIh) xp = add(xp, p.biasIh);
    const w = { whhT: transpose(p.weightHh), bhh: p.biasHh };
    const H = this.hiddenSize, kind = this.cell;
    const [last, hs] = scan((state: Tensor[], xpt: Tensor): [Tensor[], Tensor] => {
      const next = cellStep(kind, state, xpt, w, H);
      return [next, next[0]!];
    }, init, xp, { reverse });
    return [last, hs];
  }
}

/**
 * Elman RNN: h_t = tanh(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh) (or relu).
 * State: h [layers·directions, B, H].
 *
 *   const rnn = new nn.RNN(8, 16, { key: fx.random.key(0) });
 *   const [y, hN] = rnn.forwardWithState(fx.ones([4, 10, 8])); // y [4, 10, 16], hN [1, 4, 16]
 */
export class RNN extends RecurrentBase<Tensor> {
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions) {
    const nl = opts?.nonlinearity ?? "tanh";
    if (nl !== "tanh" && nl !== "relu") throw new ValueError(`RNN: nonlinearity must be "tanh" or "relu", got ${String(nl)}`);
    super("RNN", nl === "tanh" ? "rnn_tanh" : "rnn_relu", inputSize, hiddenSize, opts);
  }
  protected stateParts(h: Tensor): Tensor[] {
    return [h];
  }
  protected fromParts([h]: Tensor[]): Tensor {
    return h!;
  }
}

/**
 * Long short-term memory (PyTorch's equations, gates i, f, g, o):
 *   i = σ(W_ii x + b_ii + W_hi h + b_hi), f = σ(…), g = tanh(…), o = σ(…),
 *   c' = f ⊙ c + i ⊙ g,  h' = o ⊙ tanh(c').
 * State: [h, c], each [layers·directions, B, H].
 *
 *   const lstm = new nn.LSTM(8, 16, { key, numLayers: 2, bidirectional: true });
 *   const [y, [h, c]] = lstm.forwardWithState(x); // y [B, T, 32], h and c [4, B, 16]
 */
export class LSTM extends RecurrentBase<[Tensor, Tensor]> {
  constructor(inputSize: number, hiddenSize: number, opts: RecurrentOptions) {
    super("LSTM", "lstm", inputSize, hiddenSize, opts);
  }
  protected stateParts(state: [Tensor, Tensor]): Tensor[] {
    if (!Array.isArray(state) || state.length !== 2) throw new ValueError("LSTM: the state is a pair [h, c]");
    return state;
  }
  protected fromParts([h, c]: Tensor[]): [Tensor, Tensor] {
    return [h!, c!];
  }
}

/**
 * Gated recurrent unit (PyTorch's equations, gates r, z, n):
 *   r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz),
 *   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),  h' = (1 − z) ⊙ n + z ⊙ h.
 * State: h [layers·directions, B, H].
 *
 *   const gru = new nn.GRU(8, 16, { key });
 *   const y = gru.forward(x, { initialState: h0 });
 */
export class GRU extends RecurrentBase<Tensor> {
  constructor(inputSize: number, hiddenSize: number, opts: RecurrentOptions) {
    super("GRU", "gru", inputSize, hiddenSize, opts);
  }
  protected stateParts(h: Tensor): Tensor[] {
    return [h];
  }
  protected fromParts([h]: Tensor[]): Tensor {
    return h!;
  }
}
