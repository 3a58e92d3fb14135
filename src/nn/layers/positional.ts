/** Position information for attention, which by itself ignores order. */
import type { DType } from "../../core/dtype.js";
import { ShapeError, ValueError, fmtShape } from "../../core/errors.js";
import type { Tensor } from "../../core/tensor.js";
import type { Key } from "../../random/index.js";
import { tensor } from "../../ops/creation.js";
import { add } from "../../ops/elementwise.js";
import { slice } from "../../ops/indexing.js";
import { Module } from "../module.js";
import { normal, type Initializer } from "../init.js";
import { positiveInt, requireKey } from "./common.js";

/**
 * The sinusoidal table of "Attention is all you need", [length, dim]:
 *   PE[p, 2i] = sin(p / base^(2i/dim)),  PE[p, 2i+1] = cos(p / base^(2i/dim)).
 *
 *   nn.sinusoidalPositions(4, 2).toArray(); // [[0, 1], [sin 1, cos 1], [sin 2, cos 2], [sin 3, cos 3]]
 */
export function sinusoidalPositions(length: number, dim: number, opts: { base?: number; offset?: number; dtype?: DType } = {}): Tensor {
  if (!Number.isInteger(length) || length < 0) throw new ValueError(`sinusoidalPositions: length must be a non-negative integer, got ${length}`);
  positiveInt("sinusoidalPositions", "dim", dim);
  const base = opts.base ?? 10000, offset = opts.offset ?? 0;
  const out = new Float64Array(length * dim);
  for (let p = 0; p < length; p++) {
    for (let j = 0; j < dim; j++) {
      const angle = (p + offset) / Math.pow(base, (2 * Math.floor(j / 2)) / dim);
      out[p * dim + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return tensor(out, { shape: [length, dim], dtype: "float64" }).astype(opts.dtype ?? "float32");
}

function checkSequence(op: string, x: Tensor, dim: number): number {
  if (x.ndim < 2 || x.shape[x.ndim - 1] !== dim) throw new ShapeError(`${op}: expected an input [..., time, ${dim}], got ${fmtShape(x.shape)}`);
  return x.shape[x.ndim - 2]!;
}

/**
 * Adds the fixed sinusoidal table to [..., T, dim] inputs (no parameters).
 *
 *   const pe = new nn.SinusoidalPositionalEncoding(64);
 *   pe.forward(fx.zeros([2, 10, 64])); // the table, twice
 */
export class SinusoidalPositionalEncoding extends Module {
  readonly dim: number;
  readonly base: number;

  constructor(dim: number, opts: { base?: number } = {}) {
    super();
    this.dim = positiveInt("SinusoidalPositionalEncoding", "dim", dim);
    this.base = opts.base ?? 10000;
  }

  /** `offset` shifts the positions (for a continuation of an earlier sequence). */
  override forward(x: Tensor, opts: { offset?: number } = {}): Tensor {
    const T = checkSequence("SinusoidalPositionalEncoding", x, this.dim);
    return add(x, sinusoidalPositions(T, this.dim, { base: this.base, offset: opts.offset, dtype: x.dtype }));
  }
}

/**
 * A learned vector per position, added to [..., T, dim] inputs (T ≤ maxLength).
 * Initialized N(0, 0.02²) (GPT-2's choice).
 */
export class LearnedPositionalEmbedding extends Module {
  readonly weight: Tensor;
  readonly maxLength: number;
  readonly dim: number;

  constructor(maxLength: number, dim: number, opts: { key: Key; init?: Initializer; dtype?: DType }) {
    super();
    this.maxLength = positiveInt("LearnedPositionalEmbedding", "maxLength", maxLength);
    this.dim = positiveInt("LearnedPositionalEmbedding", "dim", dim);
    const key = requireKey("LearnedPositionalEmbedding", opts?.key);
    const init = opts.init ?? ((k: Key, shape: readonly number[], o?: { dtype?: DType }) => normal(k, shape, { std: 0.02, dtype: o?.dtype }));
    this.weight = init(key, [maxLength, dim], { dtype: opts.dtype ?? "float32" });
  }

  override forward(x: Tensor, opts: { offset?: number } = {}): Tensor {
    const T = checkSequence("LearnedPositionalEmbedding", x, this.dim);
    const start = opts.offset ?? 0;
    if (start + T > this.maxLength) throw new ShapeError(`LearnedPositionalEmbedding: positions ${start}…${start + T - 1} exceed maxLength ${this.maxLength} (input ${fmtShape(x.shape)})`);
    return add(x, slice(this.weight, [start, start + T]));
  }
}
