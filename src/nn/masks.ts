/**
 * Attention masks. Every mask here is boolean with true = "query i may
 * attend to key j" (PyTorch's boolean `attn_mask` convention); masks combine
 * with `masks.both` (logical and) and broadcast against the scores
 * [batch, heads, queries, keys].
 *
 *   const m = nn.masks.both(nn.masks.causal(T), nn.masks.keyPadding([5, 3], T)); // [2, 1, T, T]
 */
import { DTypeError, ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { Tensor } from "../core/tensor.js";
import { arange, tensor } from "../ops/creation.js";
import { greaterEqual, less, lessEqual, logicalAnd, sub, abs } from "../ops/elementwise.js";
import { reshape } from "../ops/shape.js";

function size(op: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0) throw new ValueError(`masks.${op}: ${name} must be a non-negative integer, got ${v}`);
  return v;
}

/** i − j for a [queries, keys] grid, as int32. */
function offsets(queries: number, keys: number): Tensor {
  return sub(reshape(arange(0, queries, 1, "int32"), [queries, 1]), reshape(arange(0, keys, 1, "int32"), [1, keys]));
}

/**
 * [queries, keys]: j ≤ i + offset. With the default offset 0 and queries =
 * keys, each position sees itself and the past (a decoder's mask); a query
 * block that continues `offset` earlier keys (decoding with a cache) passes
 * the number of earlier positions.
 *
 *   nn.masks.causal(3).toArray(); // [[true, false, false], [true, true, false], [true, true, true]]
 */
export function causal(queries: number, keys = queries, opts: { offset?: number } = {}): Tensor {
  size("causal", "queries", queries);
  size("causal", "keys", keys);
  return greaterEqual(offsets(queries, keys), -(opts.offset ?? 0));
}

/**
 * [queries, keys]: local attention within a window: |i − j| ≤ window, or with
 * `causal: true` the past window 0 ≤ i − j ≤ window.
 *
 *   nn.masks.banded(4, 1).toArray()[0]; // [true, true, false, false]
 */
export function banded(queries: number, window: number, opts: { keys?: number; causal?: boolean } = {}): Tensor {
  size("banded", "queries", queries);
  size("banded", "window", window);
  const d = offsets(queries, size("banded", "keys", opts.keys ?? queries));
  return opts.causal ? logicalAnd(greaterEqual(d, 0), lessEqual(d, window)) : lessEqual(abs(d), window);
}

/**
 * [batch, 1, 1, keys]: true for the real keys of each sequence, false for
 * padding. Give the lengths ([batch] ints: key j is real when j < length) or
 * a [batch, keys] boolean tensor that is true at real keys.
 *
 *   nn.masks.keyPadding([2, 3], 4); // sequence 0 has 2 real keys, sequence 1 has 3
 */
export function keyPadding(lengthsOrValid: number[] | Tensor, keys?: number): Tensor {
  if (lengthsOrValid instanceof Tensor && lengthsOrValid.dtype === "bool") {
    if (lengthsOrValid.ndim !== 2) throw new ShapeError(`masks.keyPadding: a validity mask must be [batch, keys], got ${fmtShape(lengthsOrValid.shape)}`);
    const [B, K] = lengthsOrValid.shape as [number, number];
    return reshape(lengthsOrValid, [B, 1, 1, K]);
  }
  const lengths = lengthsOrValid instanceof Tensor ? lengthsOrValid : tensor(lengthsOrValid, { dtype: "int32" });
  if (lengths.dtype !== "int32") throw new DTypeError(`masks.keyPadding: lengths must be int32 (or a bool [batch, keys] mask), got ${lengths.dtype}`);
  if (lengths.ndim !== 1) throw new ShapeError(`masks.keyPadding: lengths must be [batch], got ${fmtShape(lengths.shape)}`);
  if (keys === undefined) throw new ValueError("masks.keyPadding: give the number of keys with lengths, e.g. keyPadding([5, 3], 8)");
  size("keyPadding", "keys", keys);
  const B = lengths.shape[0]!;
  return less(reshape(arange(0, keys, 1, "int32"), [1, 1, 1, keys]), reshape(lengths, [B, 1, 1, 1]));
}

/** Logical and of masks (broadcasting), e.g. causal and key padding. */
export function both(...masks: Tensor[]): Tensor {
  if (masks.length === 0) throw new ValueError("masks.both: needs at least one mask");
  return masks.reduce((a, b) => logicalAnd(a, b));
}
