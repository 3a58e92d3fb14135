/** Elementwise closeness with messages that say where and by how much. */
import * as fx from "../../src/index.js";
import { Nd, fromTensor } from "./nd.js";

export interface Tol {
  rtol: number;
  atol: number;
}

/** Tolerances for comparing an op's output in `dtype` with a float64 reference. */
export function tolFor(dtype: fx.DType): Tol {
  return dtype === "float32" ? { rtol: 2e-5, atol: 2e-6 } : { rtol: 1e-11, atol: 1e-13 };
}

const asNd = (x: fx.Tensor | Nd) => (x instanceof Nd ? x : fromTensor(x));

/**
 * Checks shape, NaN/±∞ positions and |a − e| ≤ atol·scale + rtol·|e|, where
 * scale is max(1, max|e|) so sums of many terms are judged by their size.
 */
export function assertClose(actual: fx.Tensor | Nd, expected: fx.Tensor | Nd, tol: Tol, label: string): void {
  const a = asNd(actual), e = asNd(expected);
  if (a.shape.length !== e.shape.length || a.shape.some((d, i) => d !== e.shape[i])) {
    throw new Error(`${label}: shape [${a.shape}] but expected [${e.shape}]`);
  }
  let scale = 1;
  for (const v of e.data) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < e.size; i++) {
    const av = a.data[i]!, ev = e.data[i]!;
    if (Number.isNaN(ev) || !Number.isFinite(ev)) {
      if (!Object.is(av, ev) && !(Number.isNaN(av) && Number.isNaN(ev))) throw new Error(`${label}: element ${i} is ${av}, expected ${ev}`);
      continue;
    }
    if (!(Math.abs(av - ev) <= tol.atol * scale + tol.rtol * Math.abs(ev))) {
      throw new Error(`${label}: element ${i} is ${av}, expected ${ev} (|diff| ${Math.abs(av - ev).toExponential(2)}, rtol ${tol.rtol}, atol ${tol.atol}·${scale.toPrecision(3)})\n  got      ${fmt(a)}\n  expected ${fmt(e)}`);
    }
  }
}

function fmt(x: Nd): string {
  const vals = [...x.data.slice(0, 12)].map((v) => v.toPrecision(8));
  return `[${vals.join(", ")}${x.size > 12 ? ", …" : ""}] shape [${x.shape}]`;
}

/** Same dtype and shape, and close values. */
export function assertSameTensor(actual: fx.Tensor, expected: fx.Tensor, tol: Tol, label: string): void {
  if (actual.dtype !== expected.dtype) throw new Error(`${label}: dtype ${actual.dtype} but expected ${expected.dtype}`);
  assertClose(actual, expected, tol, label);
}

/** Leaves of an op's output (a tensor or a pytree of tensors), as tensors. */
export function outLeaves(out: unknown, label = "output"): fx.Tensor[] {
  return fx.tree.leaves(out).map((l, i) => {
    if (!(l instanceof fx.Tensor)) throw new Error(`${label}: leaf ${i} is ${typeof l}, not a tensor`);
    return l;
  });
}
