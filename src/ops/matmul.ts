/** matmul (NumPy semantics: 1-D promotion, broadcast batch axes), dot, outer, einsum. */
import { ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { broadcastShapes } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import * as lax from "../primitives/lax.js";
import { unify, type ArrayLike } from "./convert.js";

export function matmul(x: ArrayLike, y: ArrayLike): Tensor {
  let [a, b] = unify([x, y]) as [Tensor, Tensor];
  if (a.ndim === 0 || b.ndim === 0) throw new ShapeError(`matmul: operands must have rank ≥ 1, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)} (use mul for scalars)`);
  if (a.dtype === "bool") [a, b] = [lax.cast(a, "int32"), lax.cast(b, "int32")];
  const aVec = a.ndim === 1, bVec = b.ndim === 1;
  if (aVec) a = lax.reshape(a, [1, a.shape[0]!]);
  if (bVec) b = lax.reshape(b, [b.shape[0]!, 1]);
  const K = a.shape[a.ndim - 1]!;
  if (b.shape[b.ndim - 2] !== K) {
    throw new ShapeError(
      `matmul: inner sizes differ: ${fmtShape(x instanceof Object && "shape" in x ? (x as Tensor).shape : a.shape)} @ ${fmtShape((y as Tensor).shape ?? b.shape)}: axis -1 of the first is ${K}, axis -2 of the second is ${b.shape[b.ndim - 2]}`,
    );
  }
  if (a.ndim > 2 && b.ndim === 2 && !aVec) {
    // [..., M, K] @ [K, N] is one [(...)·M, K] @ [K, N] product: the reshapes
    // share storage, the product is one large GEMM, and its gradient for b is
    // one product with K = (...)·M instead of a batch of products summed over.
    const lead = a.shape.slice(0, -1);
    const flat = lax.dot(lax.reshape(a, [lead.reduce((p, d) => p * d, 1), K]), b);
    const out = lax.reshape(flat, [...lead, b.shape[1]!]);
    return bVec ? lax.reshape(out, lead) : out;
  }
  let batch: number[];
  try {
    batch = broadcastShapes("matmul", a.shape.slice(0, -2), b.shape.slice(0, -2));
  } catch (e) {
    if (!(e instanceof ShapeError)) throw e;
    throw new ShapeError(`matmul: the batch axes of ${fmtShape(a.shape)} @ ${fmtShape(b.shape)} do not broadcast (${e.message.replace(/^matmul: /, "")})`);
  }
  a = lax.broadcastTo(a, [...batch, ...a.shape.slice(-2)]);
  b = lax.broadcastTo(b, [...batch, ...b.shape.slice(-2)]);
  let out = lax.dot(a, b);
  if (aVec || bVec) {
    const shape = [...batch, ...(aVec ? [] : [out.shape[out.ndim - 2]!]), ...(bVec ? [] : [out.shape[out.ndim - 1]!])];
    out = lax.reshape(out, shape);
  }
  return out;
}

/** NumPy's dot for rank ≤ 2 (inner product of vectors, matrix products); matmul otherwise. */
export function dot(x: ArrayLike, y: ArrayLike): Tensor {
  const [a, b] = unify([x, y]) as [Tensor, Tensor];
  if (a.ndim === 0 || b.ndim === 0) return lax.mul(a, b);
  return matmul(a, b);
}

export function outer(x: ArrayLike, y: ArrayLike): Tensor {
  const [a, b] = unify([x, y]) as [Tensor, Tensor];
  return lax.mul(lax.reshape(a, [a.size, 1]), lax.reshape(b, [1, b.size]));
}

/**
 * Einstein summation, e.g. `einsum("ij,jk->ik", a, b)`, `einsum("bij->bji", x)`,
 * `einsum("ii->", a)` (trace). Implicit output (no `->`) lists the labels that
 * appear once, sorted. Lowered to transposes, diagonals, broadcasts, sums and
 * one batched matmul per pair of operands.
 */
export function einsum(spec: string, ...operands: ArrayLike[]): Tensor {
  const clean = spec.replace(/\s+/g, "");
  const [lhs, rhsRaw] = clean.includes("->") ? clean.split("->") as [string, string] : [clean, undefined];
  const inputs = lhs!.split(",");
  if (inputs.length !== operands.length) {
    throw new ValueError(`einsum: "${spec}" names ${inputs.length} operands but ${operands.length} were given`);
  }
  for (const s of [...inputs, rhsRaw ?? ""]) {
    if (!/^[a-zA-Z]*$/.test(s)) throw new ValueError(`einsum: "${spec}" may only use letters for axes (no ellipsis)`);
  }
  const counts = new Map<string, number>();
  for (const s of inputs) for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  const rhs = rhsRaw ?? [...counts.keys()].filter((c) => counts.get(c) === 1).sort().join("");
  for (const c of rhs) if (!counts.has(c)) throw new ValueError(`einsum: output label "${c}" does not appear in any input of "${spec}"`);
  const ts = unify(operands);
  const sizes = new Map<string, number>();
  // Each operand: take diagonals of repeated labels, then check sizes.
  let terms = ts.map((t, k) => {
    const labels = inputs[k]!;
    if (labels.length !== t.ndim) throw new ShapeError(`einsum: operand ${k} has shape ${fmtShape(t.shape)} but "${labels}" names ${labels.length} axes`);
    let cur = t;
    let curLabels = labels;
    for (;;) {
      const dup = [...curLabels].findIndex((c, i) => curLabels.indexOf(c) !== i);
      if (dup < 0) break;
      const first = curLabels.indexOf(curLabels[dup]!);
      cur = diagonal(cur, first, dup);
      curLabels = curLabels.slice(0, dup) + curLabels.slice(dup + 1);
    }
    [...curLabels].forEach((c, i) => {
      const d = cur.shape[i]!;
      const prev = sizes.get(c);
      if (prev !== undefined && prev !== d && prev !== 1 && d !== 1) {
        throw new ShapeError(`einsum: label "${c}" has size ${prev} in one operand and ${d} in operand ${k} ("${spec}")`);
      }
      sizes.set(c, Math.max(prev ?? 1, d));
    });
    return { t: cur, labels: curLabels };
  });
  // Sum out labels that appear in only one term and not in the output.
  const sumPrivate = (term: { t: Tensor; labels: string }, others: string) => {
    const axes = [...term.labels].flatMap((c, i) => (!rhs.includes(c) && !others.includes(c) ? [i] : []));
    if (!axes.length) return term;
    return { t: lax.reduceSum(term.t, axes), labels: [...term.labels].filter((_, i) => !axes.includes(i)).join("") };
  };
  terms = terms.map((term, k) => sumPrivate(term, terms.filter((_, j) => j !== k).map((o) => o.labels).join("")));
  // Contract pairs left to right.
  while (terms.length > 1) {
    const [p, q, ...rest] = terms as [typeof terms[0], typeof terms[0], ...typeof terms];
    const keepLater = rhs + rest.map((r) => r.labels).join("");
    terms = [contractPair(p, q, keepLater, sizes), ...rest];
  }
  const last = sumPrivate(terms[0]!, "");
  // Broadcast size-1 axes and order as the output asks.
  const perm = [...rhs].map((c) => last.labels.indexOf(c));
  let out = lax.transpose(last.t, perm);
  out = lax.broadcastTo(out, [...rhs].map((c) => sizes.get(c)!));
  return out;
}

/** The diagonal over axes i < j, placed at axis i (axis j removed). */
function diagonal(t: Tensor, i: number, j: number): Tensor {
  const n = t.shape[i]!;
  if (t.shape[j] !== n) throw new ShapeError(`einsum: a repeated label needs equal sizes, got ${t.shape[i]} and ${t.shape[j]}`);
  const moved = lax.moveAxis(lax.moveAxis(t, j, t.ndim - 1), i, t.ndim - 2); // [..., n, n]
  const rest = moved.shape.slice(0, -2);
  const flat = lax.reshape(moved, [...rest, n * n]);
  const diag = lax.slice(flat, [...rest.map(() => 0), 0], [...rest, n * n], [...rest.map(() => 1), n + 1]); // [..., n]
  return lax.moveAxis(diag, diag.ndim - 1, i);
}

/** Contracts two labelled terms with one batched matmul: batch labels, free labels, summed labels. */
function contractPair(p: { t: Tensor; labels: string }, q: { t: Tensor; labels: string }, keep: string, sizes: Map<string, number>) {
  const inP = new Set(p.labels), inQ = new Set(q.labels);
  const batch = [...p.labels].filter((c) => inQ.has(c) && keep.includes(c));
  const summed = [...p.labels].filter((c) => inQ.has(c) && !keep.includes(c));
  const freeP = [...p.labels].filter((c) => !inQ.has(c));
  const freeQ = [...q.labels].filter((c) => !inP.has(c));
  const size = (cs: string[]) => cs.reduce((n, c) => n * sizes.get(c)!, 1);
  const arrange = (term: { t: Tensor; labels: string }, order: string[]) => {
    const perm = order.map((c) => term.labels.indexOf(c));
    const t = lax.transpose(term.t, perm);
    return lax.broadcastTo(t, order.map((c) => sizes.get(c)!));
  };
  const a = lax.reshape(arrange(p, [...batch, ...freeP, ...summed]), [size(batch), size(freeP), size(summed)]);
  const b = lax.reshape(arrange(q, [...batch, ...summed, ...freeQ]), [size(batch), size(summed), size(freeQ)]);
  const c = lax.dot(a, b);
  const labels = [...batch, ...freeP, ...freeQ];
  return { t: lax.reshape(c, labels.map((l) => sizes.get(l)!)), labels: labels.join("") };
}
