import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DType } from "../src/core/dtype.js";
import { givePooled, pooledByteCount } from "../src/core/storage-pool.js";
import { referenceKernels } from "../src/backend/reference/kernels.js";
import type { KernelInput } from "../src/backend/spec.js";
import { edgyInput, expectSame } from "./support/ew-data.js";
import { argWasm, binaryWasm, windowWasm, broadcastToWasm, compareWasm, ewConfig, reduceExtremumWasm, reduceSumWasm, selectWasm, transposeWasm, unaryWasm } from "../src/backend/wasm/ew.js";
import { buildElementwiseModule } from "../src/backend/wasm/ew-kernel.js";
import { wasmFeatures } from "../src/backend/wasm/features.js";
import { getThreads, setThreads } from "../src/backend/wasm/runtime.js";

let seed = 11;
function rand(): number {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
}

const input = (shape: readonly number[], dtype: DType): KernelInput => edgyInput(rand, shape, dtype);
const same = expectSame;

const DIMS = [0, 1, 1, 2, 3, 5, 7, 16, 33];
const randomShape = (maxRank = 4) => Array.from({ length: Math.floor(rand() * (maxRank + 1)) }, () => DIMS[Math.floor(rand() * DIMS.length)]!);
const broadcastOut = (...shapes: number[][]) => {
  const r = Math.max(...shapes.map((s) => s.length));
  const padded = shapes.map((s) => [...Array<number>(r - s.length).fill(1), ...s]);
  return padded[0]!.map((_, i) => Math.max(...padded.map((p) => p[i]!)) * (padded.some((p) => p[i] === 0) ? 0 : 1));
};

/**
 * Operand shapes for `out` in the patterns the kernels take: the same shape,
 * a scalar, a row vector (trailing axes), a per-channel [C,1,1]-style block
 * and a leading-axes block [N,1,...]; plus random ones (which may decline).
 */
function patterns(out: number[]): number[][] {
  const r = out.length;
  const k = Math.floor(rand() * (r + 1));
  return [
    out,
    [],
    out.slice(k),
    r >= 2 ? [...out.slice(1, 2), ...out.slice(2).map(() => 1)] : out,
    [...out.slice(0, k), ...out.slice(k).map(() => 1)],
    out.slice(Math.floor(rand() * (r + 1))).map((d) => (rand() < 0.35 ? 1 : d)),
  ];
}

const FLOATS = ["float32", "float64"] as const;

describe.skipIf(!wasmFeatures().simd)("Wasm memory-bound kernels equal the reference bit for bit", () => {
  const threadsBefore = getThreads();
  beforeAll(() => void (ewConfig.minElements = 0));
  afterAll(() => {
    ewConfig.minElements = ewConfig.defaultMinElements;
    setThreads(threadsBefore);
  });

  for (const threads of [1, 2]) {
    for (const dtype of FLOATS) {
      it(`binary ops with broadcasting (${dtype}, ${threads} thread(s))`, () => {
        setThreads(threads);
        let ran = 0, total = 0;
        for (let trial = 0; trial < 40; trial++) {
          const out = randomShape();
          patterns(out).forEach((pat, pi) => {
            const pairs = [[out, pat], [pat, out]];
            for (const [sa, sb] of pairs) {
              const a = input(sa!, dtype), b = input(sb!, dtype);
              const o = { shape: broadcastOut(sa!, sb!), dtype };
              for (const name of ["add", "sub", "mul", "div", "max", "min"] as const) {
                const got = binaryWasm(name, a, b, o);
                total++;
                // Every pattern but the random one (index 5) must be taken, except empty outputs.
                if (got === null && pi < 5 && o.shape.every((d) => d > 0)) expect.fail(`${name} [${sa}] [${sb}] declined`);
                if (got === null) continue;
                ran++;
                same(got, referenceKernels[name]([a, b], {}, [o])[0]!, `${name} ${dtype} [${sa}] [${sb}]`);
              }
            }
          });
        }
        expect(ran).toBeGreaterThan(total * 0.8);
      });

      it(`max/min on signed zeros, NaN and infinities in every lane position (${dtype})`, () => {
        setThreads(threads);
        const vals = [-0, 0, NaN, Infinity, -Infinity, 1, -1];
        const xs: number[] = [], ys: number[] = [];
        for (const x of vals) for (const y of vals) xs.push(x), ys.push(y);
        const Type = dtype === "float32" ? Float32Array : Float64Array;
        for (let shift = 0; shift < 4; shift++) {
          const a = { data: Type.from(xs.slice(shift)), shape: [xs.length - shift], dtype }, b = { data: Type.from(ys.slice(shift)), shape: [ys.length - shift], dtype };
          const o = { shape: [xs.length - shift], dtype };
          for (const name of ["max", "min"] as const) same(binaryWasm(name, a, b, o), referenceKernels[name]([a, b], {}, [o])[0]!, `${name} specials`);
          for (const v of vals) {
            const s = { data: Type.of(v), shape: [], dtype };
            for (const name of ["max", "min"] as const) same(binaryWasm(name, a, s, o), referenceKernels[name]([a, s], {}, [o])[0]!, `${name} with scalar ${v}`);
          }
        }
      });

      it(`unary neg/abs/sqrt and comparisons (${dtype}, ${threads} thread(s))`, () => {
        setThreads(threads);
        for (let trial = 0; trial < 30; trial++) {
          const out = randomShape();
          const x = input(out, dtype);
          const o = { shape: out, dtype };
          for (const name of ["neg", "abs", "sqrt"] as const) same(unaryWasm(name, x, o), referenceKernels[name]([x], {}, [o])[0]!, `${name} [${out}]`);
          for (const pat of patterns(out).slice(0, 5)) {
            const a = input(out, dtype), b = input(pat, dtype);
            // Copies of a's values make exact ties for eq/le/ge.
            if (b.data.length === a.data.length) for (let i = 0; i < a.data.length; i += 3) b.data[i] = a.data[i]!;
            const co = { shape: broadcastOut(out, pat), dtype: "bool" as const };
            for (const name of ["eq", "ne", "lt", "le", "gt", "ge"] as const) {
              for (const [p, q] of [[a, b], [b, a]] as const) same(compareWasm(name, p, q, co), referenceKernels[name]([p, q], {}, [co])[0]!, `${name} [${p.shape}] [${q.shape}]`);
            }
          }
        }
      });

      it(`select with a bool or uint8 condition (${dtype}, ${threads} thread(s))`, () => {
        setThreads(threads);
        for (let trial = 0; trial < 40; trial++) {
          const out = randomShape();
          const pats = patterns(out).slice(0, 5);
          const c = input(out, trial % 2 ? "bool" : "uint8");
          for (const pa of pats) {
            // b as out, a scalar or a's pattern: three distinct broadcasts could need more than 3 merged axes.
            const pb = [out, [], pa][Math.floor(rand() * 3)]!;
            const a = input(pa, dtype), b = input(pb, dtype);
            const o = { shape: broadcastOut(out, pa, pb), dtype };
            same(selectWasm(c, a, b, o), referenceKernels.select([c, a, b], {}, [o])[0]!, `select [${out}] [${pa}] [${pb}]`);
          }
        }
      });

      it(`reduce_sum over leading, trailing and mixed axes (${dtype}, ${threads} thread(s))`, () => {
        setThreads(threads);
        let ran = 0;
        for (let trial = 0; trial < 60; trial++) {
          const shape = randomShape().filter((d) => d > 0);
          const r = shape.length;
          const cut = Math.floor(rand() * (r + 1));
          const choices = [
            shape.map((_, i) => i).filter((i) => i < cut), // leading
            shape.map((_, i) => i).filter((i) => i >= cut), // trailing
            shape.map((_, i) => i).filter((i) => i !== 1), // [0, 2, 3] of NCHW
            shape.map((_, i) => i).filter(() => rand() < 0.5),
          ];
          for (const axes of choices) {
            const x = input(shape, dtype);
            const o = { shape: shape.filter((_, i) => !axes.includes(i)), dtype };
            const got = reduceSumWasm(x, axes, o);
            if (got === null) continue;
            ran++;
            same(got, referenceKernels.reduce_sum([x], { axes }, [o])[0]!, `reduce_sum [${shape}] axes [${axes}]`);
          }
        }
        expect(ran).toBeGreaterThan(150);
        // The bias-gradient shapes must be taken.
        for (const [shape, axes] of [[[5, 3, 7, 9], [0, 2, 3]], [[3, 6, 5, 7], [0, 2, 3]], [[33, 17], [0]], [[17, 33], [1]]] as const) {
          const x = input(shape, dtype);
          const o = { shape: shape.filter((_, i) => !(axes as readonly number[]).includes(i)), dtype };
          same(reduceSumWasm(x, axes, o), referenceKernels.reduce_sum([x], { axes: [...axes] }, [o])[0]!, `reduce_sum [${shape}] axes [${axes}]`);
        }
      });
    }

    for (const dtype of FLOATS) {
      it(`reduce_max/reduce_min over leading, trailing and mixed axes, NaN, ±0, ±Inf (${dtype}, ${threads} thread(s))`, () => {
        setThreads(threads);
        /** Compares both kernels with the reference; a decline fails unless `mayDecline`. */
        const check = (x: KernelInput, axes: number[], mayDecline = false): number => {
          const o = { shape: x.shape.filter((_, i) => !axes.includes(i)), dtype };
          let ran = 0;
          for (const isMax of [true, false]) {
            const name = isMax ? "reduce_max" : "reduce_min";
            const got = reduceExtremumWasm(isMax, x, axes, o);
            if (got === null && mayDecline) continue;
            ran++;
            same(got, referenceKernels[name]([x], { axes }, [o])[0]!, `${name} [${x.shape}] axes [${axes}]`);
          }
          return ran;
        };
        let ran = 0;
        for (let trial = 0; trial < 60; trial++) {
          const shape = randomShape();
          const cut = Math.floor(rand() * (shape.length + 1));
          const all = shape.map((_, i) => i);
          for (const axes of [all.filter((i) => i < cut), all.filter((i) => i >= cut), all.filter(() => rand() < 0.5)]) ran += check(input(shape, dtype), axes, true);
        }
        expect(ran).toBeGreaterThan(250);
        // Softmax's row max and the leading-axis case: rows of every length around the vector
        // widths, with no special values (the lane fold), or one NaN, or zeros of both signs
        // as the largest values (which zero and which NaN is the reference's depends on order).
        for (const rows of [0, 1, 3]) {
          for (const n of [0, 1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 33, 100]) {
            for (const plant of ["none", "nan", "zeros", "inf"] as const) {
              const x = input([rows, n], dtype);
              for (let i = 0; i < x.data.length; i++) {
                const v = x.data[i]!;
                x.data[i] = plant === "zeros" ? -1 - Math.abs(Number.isFinite(v) ? v : 1) : Number.isFinite(v) ? v : rand() - 0.5;
              }
              for (let r = 0; r < rows && n > 0; r++) {
                const at = (j: number) => r * n + (j % n);
                const j = Math.floor(rand() * n);
                if (plant === "nan") x.data[at(j)] = NaN;
                if (plant === "inf") [x.data[at(j)], x.data[at(j + 1 + Math.floor(rand() * n))]] = [Infinity, -Infinity];
                if (plant === "zeros") for (let z = 0; z < 3; z++) x.data[at(j + z * 5)] = rand() < 0.5 ? -0 : 0;
              }
              check(x, [1]);
              check(x, [0]);
            }
          }
        }
      });
    }

    for (const dtype of FLOATS) {
      it(`reductions staged in many small chunks of rows or slabs (${dtype}, ${threads} thread(s))`, () => {
        setThreads(threads);
        try {
          for (let trial = 0; trial < 40; trial++) {
            ewConfig.reduceChunkBytes = [1, 24, 100, 1000][trial % 4]!;
            const shape = randomShape().filter((d) => d > 0);
            const all = shape.map((_, i) => i);
            const cut = Math.floor(rand() * (shape.length + 1));
            for (const axes of [all.filter((i) => i >= cut), all.filter((i) => i < cut), all.filter(() => rand() < 0.5)]) {
              const x = input(shape, dtype);
              const o = { shape: shape.filter((_, i) => !axes.includes(i)), dtype };
              const what = `[${shape}] axes [${axes}], chunks of ${ewConfig.reduceChunkBytes} bytes`;
              const sum = reduceSumWasm(x, axes, o);
              if (sum) same(sum, referenceKernels.reduce_sum([x], { axes }, [o])[0]!, `reduce_sum ${what}`);
              const max = reduceExtremumWasm(true, x, axes, o);
              if (max) same(max, referenceKernels.reduce_max([x], { axes }, [o])[0]!, `reduce_max ${what}`);
            }
          }
        } finally {
          ewConfig.reduceChunkBytes = 256 * 1024;
        }
      });
    }

    it(`int32 comparisons, as in max-pool gradients (${threads} thread(s))`, () => {
      setThreads(threads);
      for (let trial = 0; trial < 30; trial++) {
        const out = randomShape();
        for (const pat of patterns(out).slice(0, 5)) {
          const a = input(out, "int32"), b = input(pat, "int32");
          for (let i = 0; i < b.data.length; i++) b.data[i] = i % 2 ? a.data[i % Math.max(1, a.data.length)] ?? 0 : Math.floor(rand() * 5) - 2;
          for (let i = 0; i < a.data.length; i += 2) a.data[i] = Math.floor(rand() * 5) - 2;
          const co = { shape: broadcastOut(out, pat), dtype: "bool" as const };
          for (const name of ["eq", "ne", "lt", "le", "gt", "ge"] as const) {
            for (const [p, q] of [[a, b], [b, a]] as const) same(compareWasm(name, p, q, co), referenceKernels[name]([p, q], {}, [co])[0]!, `${name} int32 [${p.shape}] [${q.shape}]`);
          }
        }
      }
    });

    for (const dtype of FLOATS) {
      it(`argmax/argmin along any axis, ties and NaN (${dtype}, ${threads} thread(s))`, () => {
        setThreads(threads);
        for (let trial = 0; trial < 40; trial++) {
          const shape = randomShape().filter((d) => d > 0);
          if (shape.length === 0) continue;
          const x = input(shape, dtype);
          // Small integers make ties common.
          for (let i = 0; i < x.data.length; i += 2) x.data[i] = Math.floor(rand() * 3);
          const axis = Math.floor(rand() * shape.length);
          const o = { shape: shape.filter((_, i) => i !== axis), dtype: "int32" as const };
          same(argWasm(true, x, axis, o), referenceKernels.argmax([x], { axis }, [o])[0]!, `argmax [${shape}] axis ${axis}`);
          same(argWasm(false, x, axis, o), referenceKernels.argmin([x], { axis }, [o])[0]!, `argmin [${shape}] axis ${axis}`);
        }
      });
    }

    for (const dtype of FLOATS) {
      it(`max-pool windows: reduce_window_max, select_and_gather_add, select_and_scatter_add (${dtype}, ${threads} thread(s))`, () => {
        setThreads(threads);
        for (let trial = 0; trial < 40; trial++) {
          const lead = randomShape(2).filter((d) => d > 0);
          const kh = 1 + Math.floor(rand() * 3), kw = 1 + Math.floor(rand() * 3);
          const sh = 1 + Math.floor(rand() * 3), sw = 1 + Math.floor(rand() * 3); // overlapping windows when s < k
          const H = kh + Math.floor(rand() * 9), W = kw + Math.floor(rand() * 9);
          const shape = [...lead, H, W];
          const window = [...lead.map(() => 1), kh, kw], strides = [...lead.map(() => 1), sh, sw];
          const outShape = [...lead, Math.floor((H - kh) / sh) + 1, Math.floor((W - kw) / sw) + 1];
          const x = input(shape, dtype);
          // Small integers make ties within a window common.
          for (let i = 0; i < x.data.length; i += 2) x.data[i] = Math.floor(rand() * 3);
          // Chunks of one plane, a few planes (a short last chunk) or all: windows never cross planes.
          ewConfig.windowChunkBytes = [1, 3 * H * W * 8 - 5, 256 * 1024][trial % 3]!;
          const what = `[${shape}] window [${kh},${kw}] strides [${sh},${sw}], chunks of ${ewConfig.windowChunkBytes} bytes`;
          const o = { shape: outShape, dtype };
          same(windowWasm(0, x, null, window, strides, o), referenceKernels.reduce_window_max([x], { window, strides }, [o])[0]!, `reduce_window_max ${what}`);
          const t = input(shape, dtype);
          same(windowWasm(1, x, t, window, strides, o), referenceKernels.select_and_gather_add([t, x], { window, strides }, [o])[0]!, `select_and_gather_add ${what}`);
          const sct = input(outShape, dtype);
          const xo = { shape, dtype };
          same(windowWasm(2, x, sct, window, strides, xo), referenceKernels.select_and_scatter_add([sct, x], { window, strides }, [xo])[0]!, `select_and_scatter_add ${what}`);
        }
        ewConfig.windowChunkBytes = 256 * 1024;
      });
    }

    it(`2×2 stride-2 max pools (the window-per-lane kernels): odd sizes, ties, NaN, ±0 (${threads} thread(s))`, () => {
      setThreads(threads);
      for (let trial = 0; trial < 40; trial++) {
        const lead = [1 + Math.floor(rand() * 3), 1 + Math.floor(rand() * 4)];
        const H = 2 + Math.floor(rand() * 12), W = 8 + Math.floor(rand() * 15); // W ≥ 8: at least 4 windows per row
        const shape = [...lead, H, W];
        const window = [1, 1, 2, 2], strides = [1, 1, 2, 2];
        const outShape = [...lead, Math.floor(H / 2), Math.floor(W / 2)];
        for (const dtype of FLOATS) {
          const x = input(shape, dtype);
          for (let i = 0; i < x.data.length; i += 3) x.data[i] = Math.floor(rand() * 3) - 1; // ties, and -0 against +0 via 0·-1 below
          for (let i = 1; i < x.data.length; i += 7) x.data[i] = -0;
          ewConfig.windowChunkBytes = [1, 3 * H * W * 4 - 5, 256 * 1024][trial % 3]!;
          const what = `[${shape}] ${dtype}, chunks of ${ewConfig.windowChunkBytes} bytes`;
          const o = { shape: outShape, dtype };
          same(windowWasm(0, x, null, window, strides, o), referenceKernels.reduce_window_max([x], { window, strides }, [o])[0]!, `reduce_window_max ${what}`);
          const t = input(shape, dtype);
          same(windowWasm(1, x, t, window, strides, o), referenceKernels.select_and_gather_add([t, x], { window, strides }, [o])[0]!, `select_and_gather_add ${what}`);
          const sct = input(outShape, dtype);
          const xo = { shape, dtype };
          same(windowWasm(2, x, sct, window, strides, xo), referenceKernels.select_and_scatter_add([sct, x], { window, strides }, [xo])[0]!, `select_and_scatter_add ${what}`);
        }
      }
      ewConfig.windowChunkBytes = 256 * 1024;
    });

    it(`max-pool backward into recycled storage: cells no window covers are zeroed, sizes 0 and 1 (${threads} thread(s))`, () => {
      setThreads(threads);
      for (let trial = 0; trial < 24; trial++) {
        // Odd H / W leave a last row / column no 2×2 window covers; large enough (> 2 KiB) to come from the storage pool.
        const lead = [2 + Math.floor(rand() * 2), 3 + Math.floor(rand() * 4)];
        const H = 2 * (6 + Math.floor(rand() * 8)) + (trial % 2), W = 2 * (6 + Math.floor(rand() * 8)) + ((trial >> 1) % 2);
        const shape = [...lead, H, W], outShape = [...lead, H >> 1, W >> 1];
        const window = [1, 1, 2, 2], strides = [1, 1, 2, 2];
        ewConfig.windowChunkBytes = [1, 2 * H * W * 4 + 3, 256 * 1024][trial % 3]!;
        for (const dtype of FLOATS) {
          const x = input(shape, dtype), sct = input(outShape, dtype), xo = { shape, dtype };
          // The result's storage is a recycled buffer full of NaNs.
          const garbage = new (dtype === "float32" ? Float32Array : Float64Array)(x.data.length).fill(NaN);
          givePooled(garbage.buffer);
          const pooled = pooledByteCount();
          const got = windowWasm(2, x, sct, window, strides, xo);
          expect(pooledByteCount(), "the result took the recycled buffer").toBe(pooled - garbage.byteLength);
          same(got, referenceKernels.select_and_scatter_add([sct, x], { window, strides }, [xo])[0]!, `select_and_scatter_add [${shape}] ${dtype} into recycled storage`);
        }
      }
      ewConfig.windowChunkBytes = 256 * 1024;
      // One plane of one window; two and three 2×2 windows per row (float64's SIMD kernel takes them, a block
      // of two redone when odd); and empty arrays (declined: the caller runs the reference kernel).
      for (const dtype of FLOATS) {
        for (const [shape, win] of [[[1, 1, 2, 2], [1, 1, 2, 2]], [[1, 1, 1, 1], [1, 1, 1, 1]], [[1, 3, 5, 9], [1, 1, 2, 2]], [[2, 3, 6, 5], [1, 1, 2, 2]], [[1, 2, 7, 7], [1, 1, 2, 2]]] as number[][][]) {
          const outShape = shape!.map((d, a) => Math.floor((d - win![a]!) / win![a]!) + 1);
          const x = input(shape, dtype), sct = input(outShape, dtype);
          same(windowWasm(2, x, sct, win, win, { shape, dtype }), referenceKernels.select_and_scatter_add([sct, x], { window: win, strides: win }, [{ shape, dtype }])[0]!, `select_and_scatter_add [${shape}] ${dtype}`);
          same(windowWasm(0, x, null, win, win, { shape: outShape, dtype }), referenceKernels.reduce_window_max([x], { window: win, strides: win }, [{ shape: outShape, dtype }])[0]!, `reduce_window_max [${shape}] ${dtype}`);
          const t = input(shape!, dtype);
          same(windowWasm(1, x, t, win, win, { shape: outShape, dtype }), referenceKernels.select_and_gather_add([t, x], { window: win, strides: win }, [{ shape: outShape, dtype }])[0]!, `select_and_gather_add [${shape}] ${dtype}`);
        }
        const empty = input([0, 3, 4, 4], dtype);
        expect(windowWasm(2, empty, input([0, 3, 2, 2], dtype), [1, 1, 2, 2], [1, 1, 2, 2], { shape: [0, 3, 4, 4], dtype })).toBeNull();
      }
    });

    it(`transpose and broadcast_to on every dtype (${threads} thread(s))`, () => {
      setThreads(threads);
      for (const dtype of ["float32", "float64", "int32", "uint8", "bool"] as const) {
        for (let trial = 0; trial < 25; trial++) {
          // No size-1 axes: moving one would leave long contiguous rows, which TypedArray.set copies in JS.
          const shape = [...randomShape(5).map((d) => (d === 1 ? 3 : d)), 2];
          const x = input(shape, dtype);
          // The last axis moves, so rows are strided and the Wasm kernel runs.
          const perm = shape.map((_, i) => i).sort(() => rand() - 0.5);
          if (perm[perm.length - 1] === shape.length - 1) perm.reverse();
          const to = { shape: perm.map((p) => shape[p]!), dtype };
          const want = referenceKernels.transpose([x], { perm }, [to])[0]!;
          if (want.length > 0) same(transposeWasm(x, perm, to), want, `transpose ${dtype} [${shape}] perm [${perm}]`);
          // Max-pool window shuffles keep a short last axis: runs of 2 or 4 elements move as one 8/16-byte element.
          const last = [1, 2, 3, 4][trial % 4]!;
          const pool = [1 + (trial % 3), 5, 2, 3 + (trial % 5), last];
          const pperm = [0, 1, 3, 2, 4];
          const px = input(pool, dtype), pto = { shape: pperm.map((p) => pool[p]!), dtype };
          same(transposeWasm(px, pperm, pto), referenceKernels.transpose([px], { perm: pperm }, [pto])[0]!, `transpose ${dtype} [${pool}] perm [${pperm}]`);
          // Head splits keep the last axis: rows of whole 16-byte vectors (any length) move a vector at a time.
          const item = { float32: 4, float64: 8, int32: 4, uint8: 1, bool: 1 }[dtype];
          const heads = [1 + (trial % 3), 3 + (trial % 4), 2 + (trial % 2), (16 / item) * [1, 2, 3, 16][trial % 4]!];
          const hx = input(heads, dtype), hperm = [0, 2, 1, 3], hto = { shape: hperm.map((p) => heads[p]!), dtype };
          same(transposeWasm(hx, hperm, hto), referenceKernels.transpose([hx], { perm: hperm }, [hto])[0]!, `transpose ${dtype} [${heads}] perm [${hperm}]`);
          const small = input([...shape.slice(-3).map((d) => (rand() < 0.4 ? 1 : d)), 1], dtype);
          const bo = { shape: [2, ...shape.slice(-3), 3], dtype };
          const wantB = referenceKernels.broadcast_to([small], { shape: bo.shape }, [bo])[0]!;
          if (wantB.length > 0) same(broadcastToWasm(small, bo), wantB, `broadcast_to ${dtype} [${small.shape}] -> [${bo.shape}]`);
        }
      }
    });
  }

  it("emits one module with every kernel, or only the kernels asked for", () => {
    const all = buildElementwiseModule(16, false);
    expect(WebAssembly.validate(all)).toBe(true);
    const one = buildElementwiseModule(16, false, ["bin_add_f32"]);
    expect(WebAssembly.validate(one)).toBe(true);
    expect(one.length).toBeLessThan(all.length / 20);
    expect(WebAssembly.Module.exports(new WebAssembly.Module(one)).map((e) => e.name)).toEqual(["bin_add_f32"]);
    expect(() => buildElementwiseModule(16, false, ["bin_pow_f32"])).toThrow(/no kernel named bin_pow_f32/);
  });

  it("declines what it does not take and stays out below the size threshold", () => {
    const f = input([4, 4], "float32"), i = input([4, 4], "int32");
    expect(binaryWasm("add", i, i, { shape: [4, 4], dtype: "int32" })).toBeNull();
    expect(binaryWasm("pow", f, f, { shape: [4, 4], dtype: "float32" })).toBeNull();
    expect(unaryWasm("exp", f, { shape: [4, 4], dtype: "float32" })).toBeNull();
    // A condition constant along rows, and a 4-axis broadcast pattern, go to JS.
    const c = input([4, 1], "bool");
    expect(selectWasm(c, f, f, { shape: [4, 4], dtype: "float32" })).toBeNull();
    const a = input([2, 1, 2, 1], "float32"), b = input([1, 2, 1, 2], "float32");
    expect(binaryWasm("add", a, b, { shape: [2, 2, 2, 2], dtype: "float32" })).toBeNull();
    // Beyond the staging cap the JS kernel runs (Wasm memory never shrinks).
    ewConfig.maxStageBytes = 64;
    expect(binaryWasm("add", f, f, { shape: [4, 4], dtype: "float32" })).toBeNull();
    ewConfig.maxStageBytes = 128 * 2 ** 20;
    ewConfig.minElements = 17;
    expect(binaryWasm("add", f, f, { shape: [4, 4], dtype: "float32" })).toBeNull();
    ewConfig.minElements = 16;
    expect(binaryWasm("add", f, f, { shape: [4, 4], dtype: "float32" })).not.toBeNull();
    ewConfig.minElements = 0;
  });
});
