/**
 * Turns op records into vitest tests. Per record:
 *   - forward values in float32 and float64 against the float64 reference,
 *   - derivatives to second order against finite differences (float64),
 *   - vmap against a loop (values and per-example gradients),
 *   - jit against eager (values and gradients).
 * Every record runs on at least MIN_SAMPLES seeded random samples.
 */
import { describe, it } from "vitest";
import * as fx from "../../src/index.js";
import { Nd, toTensor } from "./nd.js";
import { Rng } from "./random.js";
import { assertClose, outLeaves, tolFor, type Tol } from "./compare.js";
import { checkGrads } from "./check-grads.js";
import { checkJit, checkVmap, checkVmapGrad, stackAlong } from "./check-transforms.js";
import { samplerFor, type OpCase, type OpRecord } from "./op-records.js";

export const MIN_SAMPLES = 5;
const BATCH = 3;

interface Sample {
  index: number;
  c: OpCase;
  seed: number;
  inputs: Nd[];
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

function randomInputs(r: OpRecord, shapes: number[][], rng: Rng): Nd[] {
  return shapes.map((shape, k) => {
    const f = samplerFor(r, k);
    const n = shape.reduce((a, b) => a * b, 1);
    return new Nd([...shape], Float64Array.from({ length: n }, () => f(rng)));
  });
}

/** Each case gets enough seeds that the record has at least MIN_SAMPLES samples. */
export function samplesOf(r: OpRecord): Sample[] {
  const per = Math.max(1, Math.ceil(MIN_SAMPLES / r.cases.length));
  const out: Sample[] = [];
  r.cases.forEach((c, index) => {
    for (let s = 0; s < per; s++) {
      const seed = (hash(r.name) + index * 1000 + s) >>> 0;
      out.push({ index, c, seed, inputs: randomInputs(r, c.shapes, new Rng(seed)) });
    }
  });
  return out;
}

const describeCase = (r: OpRecord, s: { index: number; c: OpCase }) =>
  `${r.name} case ${s.index} shapes ${JSON.stringify(s.c.shapes)}${s.c.p === undefined ? "" : ` p=${JSON.stringify(s.c.p)}`}`;

const rounded = (x: Nd, dtype: fx.DType) => (dtype === "float32" ? new Nd([...x.shape], x.data.map(Math.fround)) : x);

function exactOr(dtype: fx.DType, tol: Tol): Tol {
  return dtype === "float32" || dtype === "float64" ? tol : { rtol: 0, atol: 0 };
}

function checkForward(r: OpRecord, s: Sample, dtype: "float32" | "float64"): void {
  const label = `${describeCase(r, s)} [${dtype}]`;
  const nds = s.inputs.map((x) => rounded(x, dtype));
  const xs = nds.map((x) => toTensor(x, dtype));
  const got = outLeaves(r.make(s.c.p)(...xs), label);
  const refOut = r.ref(s.c.p)(...nds);
  const want = Array.isArray(refOut) ? refOut : [refOut];
  if (got.length !== want.length) throw new Error(`${label}: ${got.length} outputs, reference has ${want.length}`);
  const outDType = r.outDType ?? dtype;
  const tol = dtype === "float32" && r.tol32 ? r.tol32 : tolFor(dtype);
  got.forEach((g, k) => {
    if (g.dtype !== outDType) throw new Error(`${label}: output ${k} has dtype ${g.dtype}, expected ${outDType}`);
    assertClose(g, want[k]!, exactOr(outDType, tol), `${label} output ${k}`);
  });
}

/** Inputs with a batch of BATCH examples stacked at `axes[k]` (null: one unbatched example). */
function batchedInputs(r: OpRecord, c: OpCase, axes: (number | null)[], seed: number): fx.Tensor[] {
  const rng = new Rng(seed);
  return c.shapes.map((shape, k) => {
    const examples = Array.from({ length: axes[k] === null ? 1 : BATCH }, () => toTensor(randomInputs(r, [shape], rng)[0]!, "float64"));
    return axes[k] === null ? examples[0]! : stackAlong(examples, axes[k]!, { shape, dtype: "float64" });
  });
}

/** Batch-axis layouts to try: all at 0; the first argument along its last axis with the others shared; with several arguments, all along their last axes and the first one shared. */
function vmapLayouts(c: OpCase): (number | null)[][] {
  const all0 = c.shapes.map(() => 0);
  const firstLast = c.shapes.map((s, k) => (k === 0 ? s.length : null));
  if (c.shapes.length === 1) return c.shapes[0]!.length > 0 ? [all0, firstLast] : [all0];
  const allLast = c.shapes.map((s) => s.length);
  const firstShared = c.shapes.map((_, k) => (k === 0 ? null : 0));
  return [all0, firstLast, allLast, firstShared];
}

export function runRecords(records: OpRecord[]): void {
  for (const r of records) {
    describe(r.name, () => {
      const samples = samplesOf(r);
      const differentiable = r.grad !== false;
      it(`forward values in float32 and float64 match the float64 reference (${samples.length} samples)`, () => {
        for (const s of samples) {
          checkForward(r, s, "float32");
          checkForward(r, s, "float64");
        }
      });
      if (differentiable) {
        const gradSamples = samples.filter((s) => s.c.grad !== false);
        it(`jvp and vjp match finite differences to second order, adjoint identity holds (${gradSamples.length} samples)`, () => {
          if (gradSamples.length < MIN_SAMPLES) throw new Error(`only ${gradSamples.length} differentiable samples`);
          for (const s of gradSamples) {
            checkGrads(r.make(s.c.p) as never, s.inputs.map((x) => toTensor(x, "float64")), { seed: s.seed, label: describeCase(r, s) });
          }
        });
      }
      const firstOfCase = samples.filter((s, i) => i === 0 || samples[i - 1]!.index !== s.index);
      it(`vmap equals a loop over examples${differentiable ? ", values and per-example gradients" : ""} (${firstOfCase.length} cases)`, () => {
        for (const s of firstOfCase) {
          const f = r.make(s.c.p) as never;
          for (const inAxes of vmapLayouts(s.c)) {
            const xs = batchedInputs(r, s.c, inAxes, s.seed + 1);
            const label = `${describeCase(r, s)} inAxes ${JSON.stringify(inAxes)}`;
            checkVmap(f, xs, { inAxes, label });
            if (differentiable && s.c.grad !== false) checkVmapGrad(f, xs, { inAxes, label, seed: s.seed });
          }
        }
      });
      it(`jit equals eager${differentiable ? " (values and gradients)" : ""}, tracing once (${firstOfCase.length} cases)`, () => {
        for (const s of firstOfCase) {
          const xs = s.inputs.map((x) => toTensor(x, "float64"));
          checkJit(r.make(s.c.p) as never, xs, { label: describeCase(r, s), grad: differentiable && s.c.grad !== false, seed: s.seed });
        }
      });
    });
  }
}
