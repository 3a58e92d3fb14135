import { afterAll, describe, expect, it } from "vitest";
import "../src/index.js";
import { dotKernel } from "../src/backend/reference/kernels/matmul.js";
import { transposeKernel } from "../src/backend/reference/kernels/shape.js";
import { gemm, gemmConfig } from "../src/backend/wasm/gemm.js";
import { getRuntime, setThreads } from "../src/backend/wasm/runtime.js";
import { gemmShapes } from "../src/backend/wasm/module.js";

/** Deterministic uniform values in [-1, 1). */
function random(n: number, seed: number, Type: Float32ArrayConstructor | Float64ArrayConstructor): Float32Array | Float64Array {
  const out = new Type(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Stored [batch, cols, rows] → logical [batch, rows, cols] by the reference transpose. */
function untranspose(data: Float32Array | Float64Array, batch: number, rows: number, cols: number, dtype: "float32" | "float64") {
  return transposeKernel([{ data, shape: [batch, cols, rows], dtype }], { perm: [0, 2, 1] }, [{ shape: [batch, rows, cols], dtype }])[0]!;
}

/** Repeats one matrix `batch` times (what a shared operand stands for). */
function repeat(x: Float32Array | Float64Array, batch: number): Float32Array | Float64Array {
  const out = new (x.constructor as Float32ArrayConstructor)(x.length * batch);
  for (let i = 0; i < batch; i++) out.set(x, i * x.length);
  return out;
}

function check(
  dtype: "float32" | "float64", batch: number, M: number, N: number, K: number, ta: boolean, tb: boolean, seed: number,
  sharedA = false, sharedB = false,
): void {
  const Type = dtype === "float32" ? Float32Array : Float64Array;
  const a = random((sharedA ? 1 : batch) * M * K, seed, Type), b = random((sharedB ? 1 : batch) * K * N, seed + 7, Type);
  const got = gemm(dtype, { data: a, transposed: ta, shared: sharedA }, { data: b, transposed: tb, shared: sharedB }, batch, M, N, K)!;
  const fa = sharedA ? repeat(a, batch) : a, fb = sharedB ? repeat(b, batch) : b;
  const la = ta ? untranspose(fa, batch, M, K, dtype) : fa;
  const lb = tb ? untranspose(fb, batch, K, N, dtype) : fb;
  const want = dotKernel(
    [{ data: la, shape: [batch, M, K], dtype }, { data: lb, shape: [batch, K, N], dtype }],
    undefined,
    [{ shape: [batch, M, N], dtype }],
  )[0]!;
  expect(got).toBeInstanceOf(Type);
  expect(got.length).toBe(batch * M * N);
  // |Σ a·b| error grows with K; values are in [-1, 1).
  const tol = (dtype === "float32" ? 3e-7 : 1e-15) * Math.max(1, K) * 4;
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  expect(worst, `${dtype} batch=${batch} M=${M} N=${N} K=${K} ta=${ta} tb=${tb} shared=${sharedA},${sharedB}`).toBeLessThanOrEqual(tol);
}

const f32 = gemmShapes(false).f32, f64 = gemmShapes(false).f64;
// Odd sizes, sizes around the tile (mr, nr) and block (mc, kc, nc) edges, 0 and 1.
const SHAPES: [number, number, number, number][] = [
  [1, 0, 3, 4], [1, 3, 0, 4], [1, 3, 4, 0], [1, 1, 1, 1], [1, 1, 9, 1], [1, 9, 1, 1], [1, 1, 1, 17],
  [1, 7, 13, 5], [1, f32.mr, f32.nr, 3], [1, f32.mr + 1, f32.nr + 1, 2], [1, f32.mr - 1, f32.nr - 1, 33],
  [1, f32.mc + 5, 19, f32.kc + 3], [1, 11, f32.nc + 9, 7], [1, f64.mc + 1, f64.nc + 3, 5],
  [3, 5, 6, 7], [4, 33, 17, 65], [2, 1, 1, 1], [5, 0, 2, 2],
];

describe.each([1, 2])("wasm GEMM vs reference, %i thread(s)", (threads) => {
  setThreads(threads);
  gemmConfig.parallelMinFlops = 0; // split even tiny products, to test the splits
  afterAll(() => {
    gemmConfig.parallelMinFlops = gemmConfig.defaultParallelMinFlops;
  });
  it("uses the requested thread count", () => {
    setThreads(threads);
    expect(getRuntime().threads).toBe(threads);
  });
  for (const dtype of ["float32", "float64"] as const) {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      it(`${dtype} ${ta ? "Aᵀ" : "A"}·${tb ? "Bᵀ" : "B"} on ${SHAPES.length} shapes`, () => {
        setThreads(threads);
        SHAPES.forEach(([batch, M, N, K], i) => check(dtype, batch, M, N, K, ta, tb, 100 * i + 1));
      });
    }
  }
  it("operands shared across the batch (batch stride 0), plain and transposed", () => {
    setThreads(threads);
    for (const dtype of ["float32", "float64"] as const) {
      let i = 0;
      for (const [batch, M, N, K] of [[3, 5, 6, 7], [4, 33, 17, 65], [2, 1, 1, 1], [5, 13, 9, 0], [7, 8, 8, 8]] as const) {
        for (const [sa, sb] of [[false, true], [true, false], [true, true]] as const) {
          for (const [ta, tb] of [[false, false], [true, true], [false, true]] as const) check(dtype, batch, M, N, K, ta, tb, 31 * ++i, sa, sb);
        }
      }
    }
  });

  it("random shapes", () => {
    setThreads(threads);
    let s = 12345;
    const next = (n: number) => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s % n;
    };
    for (let trial = 0; trial < 12; trial++) {
      const dtype = trial % 2 ? "float64" : "float32";
      check(dtype, 1 + next(3), 1 + next(90), 1 + next(90), next(300), next(2) === 1, next(2) === 1, trial + 5);
    }
  });
});

describe.each([1, 2, 3])("wasm GEMM depth split (K ≥ depthSplitRatio·max(M, N)), %i thread(s)", (threads) => {
  afterAll(() => {
    gemmConfig.parallelMinFlops = gemmConfig.defaultParallelMinFlops;
  });
  // K at the threshold and past it, K pieces of unequal length, K past one kc block, and (3 threads)
  // batches of 2 < threads, whose partial sums are per item.
  const r = gemmConfig.depthSplitRatio;
  const DEEP: [number, number, number, number][] = [
    [1, 1, 1, r], [1, 1, 1, r + 1], [1, 2, 1, 2 * r + 1], [1, 3, 5, 5 * r + 2], [1, f32.mr + 1, f32.nr - 1, 2 * f32.kc + 45], [1, 13, 2, 13 * r + 5], [2, 5, 7, 7 * r + 1], [2, 1, 3, 300],
  ];
  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: matches the reference with every operand layout`, () => {
      setThreads(threads);
      gemmConfig.parallelMinFlops = 0;
      let i = 0;
      for (const [batch, M, N, K] of DEEP) {
        for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) check(dtype, batch, M, N, K, ta, tb, 57 * ++i);
      }
    });
  }
});

describe("wasm GEMM split choice", () => {
  it("splits K, not rows or columns, when K ≥ depthSplitRatio·max(M, N); rows or columns below that", () => {
    setThreads(2);
    gemmConfig.parallelMinFlops = 0;
    const pool = getRuntime().pool;
    const runQueue = pool.runQueue;
    const seen: number[][] = [];
    pool.runQueue = function (tasks, ...rest) {
      seen.push(...tasks.map((t) => t.args.slice(4, 7))); // rows, cols, K of each piece
      return runQueue.call(this, tasks, ...rest);
    };
    try {
      const [M, N] = [5, 20], deep = gemmConfig.depthSplitRatio * N;
      check("float32", 1, M, N, deep, false, false, 1);
      expect(seen).toEqual([[M, N, deep / 2], [M, N, deep / 2]]);
      seen.length = 0;
      check("float32", 1, M, N, deep - 1, false, false, 2);
      expect(seen.length).toBeGreaterThan(1);
      expect(seen.every(([rows, cols, K]) => K === deep - 1 && (rows! < M || cols! < N))).toBe(true);
    } finally {
      pool.runQueue = runQueue;
      gemmConfig.parallelMinFlops = gemmConfig.defaultParallelMinFlops;
    }
  });
});

describe("wasm GEMM Bᵀ panels (packed through lane transposes)", () => {
  it("matches the reference for K around multiples of the lanes and N around the tile width", () => {
    setThreads(1);
    let i = 0;
    for (const dtype of ["float32", "float64"] as const) {
      const nr = dtype === "float32" ? f32.nr : f64.nr;
      for (const K of [1, 3, 4, 5, 8, 11, f32.kc + 6]) {
        for (const N of [nr, 2 * nr + 1, 3 * nr]) check(dtype, 1, 7, N, K, false, true, 91 * ++i);
      }
    }
  });
});

describe("wasm GEMM memory", () => {
  it("stages a batch too large for the memory in chunks (items read and written at offsets)", () => {
    try {
      for (const threads of [1, 2]) {
        setThreads(threads);
        let i = 0;
        for (const dtype of ["float32", "float64"] as const) {
          // Room for about two items at a time: batches of 5 and 7 go in three or four chunks.
          gemmConfig.maxStageBytes = (dtype === "float32" ? 4 : 8) * 2 * (9 * 11 + 11 * 13 + 9 * 13) + 3 * 64;
          for (const batch of [5, 7]) {
            // (A plain with B shared is one [batch·M, K] product, not chunked by item.)
            for (const [sa, sb, ta, tb] of [[0, 0, 0, 0], [0, 0, 1, 1], [1, 0, 0, 0], [1, 0, 1, 1], [0, 1, 1, 0], [0, 1, 1, 1]]) {
              check(dtype, batch, 9, 13, 11, ta === 1, tb === 1, 77 + ++i, sa === 1, sb === 1);
            }
          }
        }
      }
    } finally {
      gemmConfig.maxStageBytes = Infinity;
    }
  });

  it("computes products far larger than one cache block on both split axes", () => {
    setThreads(2);
    check("float32", 1, 300, 40, 520, false, false, 3); // rows split
    check("float32", 1, 40, 300, 520, false, true, 4); // columns split
    check("float64", 6, 20, 24, 30, true, false, 5); // batch split
  });
});
