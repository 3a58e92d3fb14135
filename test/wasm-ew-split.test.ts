/**
 * The memory-bound Wasm kernels split across threads (ew-split.ts for the
 * row kernels, by Q rows / P slabs for reductions, by planes for max-pool
 * windows) and rev (rev.ts): bit for bit against the reference kernels, with
 * every call split however small, on 1, 2 and 3 threads, f32 and f64, odd
 * sizes, sizes 0 and 1, rows that are not whole vectors; operands staged or
 * already resident in the call arena (the jitted step's case: one call over
 * the whole tensor).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allocateUninitialized, type DType } from "../src/core/dtype.js";
import { referenceKernels } from "../src/backend/reference/kernels.js";
import { ArrayBuffer_ } from "../src/backend/reference/buffer.js";
import type { KernelInput } from "../src/backend/spec.js";
import { edgyInput, expectSame } from "./support/ew-data.js";
import { binaryWasm, compareWasm, ewConfig, reduceExtremumWasm, reduceSumWasm, selectWasm, unaryWasm, windowWasm } from "../src/backend/wasm/ew.js";
import { wasmCallArena } from "../src/backend/wasm/arena.js";
import { wasmBackend } from "../src/backend/wasm/index.js";
import { TransposeView } from "../src/backend/wasm/lazy-transpose.js";
import { splitConfig } from "../src/backend/wasm/split.js";
import { wasmFeatures } from "../src/backend/wasm/features.js";
import { getThreads, setThreads } from "../src/backend/wasm/runtime.js";

let seed = 23;
function rand(): number {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
}
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;

const input = (shape: readonly number[], dtype: DType): KernelInput => edgyInput(rand, shape, dtype);
const same = expectSame;

/** Shapes whose row plans take each split: P slabs, Q rows (P = 1), one long row (cut in 64-element blocks), and size 0 / 1. */
const SHAPES = [[3, 5, 7], [1, 9, 131], [1, 1, 1000], [257], [2, 3, 1, 67], [0, 4], [1], [70, 3]];

/** `x` copied into the call arena (only valid until `wasmCallArena.exit()`). */
function resident(x: KernelInput): KernelInput {
  const data = allocateUninitialized(x.dtype, x.data.length);
  data.set(x.data);
  return { ...x, data };
}

describe.skipIf(!wasmFeatures().simd)("memory-bound kernels split across threads equal the reference bit for bit", () => {
  const threadsBefore = getThreads();
  beforeAll(() => {
    ewConfig.minElements = 0;
    splitConfig.minElements = 0;
    splitConfig.wakeMinElements = 0;
  });
  afterAll(() => {
    ewConfig.minElements = ewConfig.defaultMinElements;
    splitConfig.minElements = splitConfig.defaultMinElements;
    splitConfig.wakeMinElements = splitConfig.defaultWakeMinElements;
    setThreads(threadsBefore);
  });

  for (const threads of [1, 2, 3]) {
    for (const dtype of ["float32", "float64"] as const) {
      for (const inArena of [false, true]) {
        const where = inArena ? "resident in the call arena" : "staged";
        /** Runs `body` with `op` making operands staged or resident. */
        const run = (body: (op: (x: KernelInput) => KernelInput) => void) => {
          setThreads(threads);
          if (!inArena) return body((x) => x);
          expect(wasmCallArena.enter()).toBe(true);
          try {
            body(resident);
          } finally {
            wasmCallArena.exit();
          }
        };

        it(`binary, compare, unary and select rows (${dtype}, ${threads} thread(s), ${where})`, () => run((op) => {
          for (const shape of SHAPES) {
            const r = shape.length, k = Math.floor(rand() * (r + 1));
            // Same shape, scalar, trailing row, leading column: contiguous and splat operands in every position.
            for (const other of [shape, [], shape.slice(k), [...shape.slice(0, k), ...shape.slice(k).map(() => 1)]]) {
              const a = op(input(shape, dtype)), b = op(input(other, dtype));
              const out = { shape, dtype };
              const what = `[${shape}] with [${other}]`;
              same(binaryWasm("sub", a, b, out), referenceKernels.sub([a, b], {}, [out])[0]!, `sub ${what}`);
              same(binaryWasm("max", b, a, out), referenceKernels.max([b, a], {}, [out])[0]!, `max (broadcast first) ${what}`);
              const bo = { shape, dtype: "bool" as const };
              same(compareWasm("gt", a, b, bo), referenceKernels.gt([a, b], {}, [bo])[0]!, `gt ${what}`);
              const c = op(input(shape, "bool"));
              same(selectWasm(c, a, b, out), referenceKernels.select([c, a, b], {}, [out])[0]!, `select ${what}`);
              same(selectWasm(c, b, a, out), referenceKernels.select([c, b, a], {}, [out])[0]!, `select (swapped) ${what}`);
            }
            const x = op(input(shape, dtype));
            same(unaryWasm("neg", x, { shape, dtype }), referenceKernels.neg([x], {}, [{ shape, dtype }])[0]!, `neg [${shape}]`);
          }
        }));

        it(`reduce_sum, reduce_max, reduce_min split by rows or slabs (${dtype}, ${threads} thread(s), ${where})`, () => run((op) => {
          for (const shape of [...SHAPES, [4, 6, 5, 3], [64, 8, 24]]) {
            for (let trial = 0; trial < 5; trial++) {
              // Leading axes, trailing axes, all but one (a bias gradient's [0, 2, 3]), all, or one (a middle
              // one: slabs adding into their own accumulator rows): plans of at most 3 merged axes.
              const r = shape.length, k = Math.floor(rand() * (r + 1)), j = Math.floor(rand() * r);
              const axes = shape.map((_, a) => a).filter((a) => [a < k, a >= r - k, a !== j, true, a === j][trial]!);
              const x = op(input(shape, dtype));
              const out = { shape: shape.filter((_, a) => !axes.includes(a)), dtype };
              const what = `[${shape}] over [${axes}]`;
              same(reduceSumWasm(x, axes, out), referenceKernels.reduce_sum([x], { axes }, [out])[0]!, `reduce_sum ${what}`);
              same(reduceExtremumWasm(true, x, axes, out), referenceKernels.reduce_max([x], { axes }, [out])[0]!, `reduce_max ${what}`);
              same(reduceExtremumWasm(false, x, axes, out), referenceKernels.reduce_min([x], { axes }, [out])[0]!, `reduce_min ${what}`);
            }
          }
        }));

        it(`max-pool windows split by planes (${dtype}, ${threads} thread(s), ${where})`, () => run((op) => {
          for (let trial = 0; trial < 16; trial++) {
            const lead = [pick([1, 2, 3, 7]), pick([1, 2, 5])];
            const pairs = trial % 2 === 0; // the 2×2 stride-2 kernel, else a general window
            const [kh, kw, sh, sw] = pairs ? [2, 2, 2, 2] : [pick([1, 2, 3]), pick([1, 2, 3]), pick([1, 2]), pick([1, 2, 3])];
            const H = kh + Math.floor(rand() * 9), W = (pairs ? 8 : kw) + Math.floor(rand() * 9);
            const shape = [...lead, H, W];
            const window = [1, 1, kh, kw], strides = [1, 1, sh, sw];
            const outShape = [...lead, Math.floor((H - kh) / sh) + 1, Math.floor((W - kw) / sw) + 1];
            const x = input(shape, dtype);
            for (let i = 0; i < x.data.length; i += 2) x.data[i] = Math.floor(rand() * 3); // ties
            const xr = op(x), o = { shape: outShape, dtype }, xo = { shape, dtype };
            const what = `[${shape}] window [${kh},${kw}] strides [${sh},${sw}]`;
            same(windowWasm(0, xr, null, window, strides, o), referenceKernels.reduce_window_max([x], { window, strides }, [o])[0]!, `reduce_window_max ${what}`);
            const t = op(input(shape, dtype));
            same(windowWasm(1, xr, t, window, strides, o), referenceKernels.select_and_gather_add([t, x], { window, strides }, [o])[0]!, `select_and_gather_add ${what}`);
            const s = op(input(outShape, dtype));
            same(windowWasm(2, xr, s, window, strides, xo), referenceKernels.select_and_scatter_add([s, x], { window, strides }, [xo])[0]!, `select_and_scatter_add ${what}`);
          }
        }));
      }
    }
  }
});

describe.skipIf(!wasmFeatures().simd)("rev on the wasm backend", () => {
  it("equals the reference on random shapes and axes, every dtype, row-major or a deferred transpose", () => {
    for (let trial = 0; trial < 60; trial++) {
      const dtype = pick(["float32", "float64", "int32", "bool"] as const);
      const rank = pick([1, 2, 3, 4]);
      const shape = Array.from({ length: rank }, () => pick([0, 1, 2, 3, 5, 9]));
      if (trial % 10 === 0) shape.fill(1);
      const axes = shape.map((_, a) => a).filter(() => rand() < 0.5);
      const x = input(shape, dtype);
      const out = { shape, dtype };
      const want = referenceKernels.rev([x], { axes }, [out])[0]!;
      const [got] = wasmBackend.run("rev", [{ buffer: new ArrayBuffer_(x.data), shape, dtype }], { axes }, [out]);
      same(got!.view(), want, `rev [${shape}] (${dtype}) over [${axes}]`);
      // The same tensor as a transpose of its [1, 0, ...] permutation, stored that way (float only: deferred transposes are).
      if (rank < 2 || (dtype !== "float32" && dtype !== "float64")) continue;
      const perm = [1, 0, ...shape.slice(2).map((_, a) => a + 2)];
      const storedShape = perm.map((p) => shape[p]!);
      const stored = referenceKernels.transpose([x], { perm }, [{ shape: storedShape, dtype }])[0]!;
      const view = TransposeView.of(stored, storedShape, perm, dtype);
      const [viaView] = wasmBackend.run("rev", [{ buffer: view, shape, dtype }], { axes }, [out]);
      same(viaView!.view(), want, `rev of a deferred transpose [${storedShape}] → [${shape}] (${dtype}) over [${axes}]`);
    }
  });
});
