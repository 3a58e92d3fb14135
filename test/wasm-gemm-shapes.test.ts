import { describe, expect, it } from "vitest";
import { ModuleBuilder } from "../src/backend/wasm/emitter.js";
import { wasmFeatures } from "../src/backend/wasm/features.js";
import { balancedBlocks, buildGemm, gemmScratch, type GemmShape } from "../src/backend/wasm/gemm-kernel.js";
import { align } from "../src/backend/wasm/module.js";

// The generator takes any register tile and blocking (bench/gemm-tune.ts
// compares them); the runtime uses one per dtype. These build other tiles,
// with small blocks so that K and M span several, and check them against a
// plain triple loop.

const PAGES = 64;

function runGemm(s: GemmShape, M: number, N: number, K: number, ta: boolean, tb: boolean, a: Float64Array, b: Float64Array): Float64Array {
  const m = new ModuleBuilder();
  m.importMemory("env", "mem", PAGES, PAGES, false);
  buildGemm(m, s);
  const mem = new WebAssembly.Memory({ initial: PAGES, maximum: PAGES });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(m.bytes()), { env: { mem } });
  const es = s.dtype === "float32" ? 4 : 8;
  const gemm = inst.exports[`gemm_${es === 4 ? "f32" : "f64"}`] as (...args: number[]) => void;
  const { packA, packB, tile, end } = gemmScratch(s, 0);
  const addrA = end, addrB = addrA + align(M * K * es), addrC = addrB + align(K * N * es);
  const View = es === 4 ? Float32Array : Float64Array;
  new View(mem.buffer, addrA, M * K).set(a);
  new View(mem.buffer, addrB, K * N).set(b);
  // Garbage in C: the first depth block must overwrite, not accumulate. A guard after C (a row and
  // more) must stay as it is: edge tiles write only their rows and columns.
  new View(mem.buffer, addrC, M * N).fill(1e3);
  const guard = new View(mem.buffer, addrC + M * N * es, N + 16);
  guard.fill(7e3);
  const [rsA, csA] = ta ? [1, M] : [K, 1];
  const [rsB, csB] = tb ? [1, K] : [N, 1];
  const { kcb, mcb } = balancedBlocks(s, M, K);
  gemm(M, N, K, addrA, rsA, csA, addrB, rsB, csB, addrC, N, packA, packB, tile, kcb, mcb);
  expect(guard.every((x) => x === 7e3), `M=${M} N=${N} K=${K}: written past C`).toBe(true);
  return Float64Array.from(new View(mem.buffer, addrC, M * N));
}

/** C = op(A)·op(B) in float64, A stored M×K (or K×M when ta), B stored K×N (or N×K when tb). */
function naive(M: number, N: number, K: number, ta: boolean, tb: boolean, a: Float64Array, b: Float64Array): Float64Array {
  const c = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += a[ta ? k * M + i : i * K + k]! * b[tb ? j * K + k : k * N + j]!;
      c[i * N + j] = sum;
    }
  }
  return c;
}

function values(n: number, seed: number, round: (x: number) => number): Float64Array {
  const out = new Float64Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = round(s / 2 ** 31 - 1);
  }
  return out;
}

const TILES: [GemmShape["dtype"], number, number][] = [
  ["float32", 4, 8], ["float32", 5, 8], ["float32", 4, 12], ["float32", 3, 16],
  ["float64", 4, 4], ["float64", 5, 4], ["float64", 3, 8],
];

describe.each(TILES)("wasm GEMM generator, %s %i×%i tile", (dtype, mr, nr) => {
  const relaxedOptions = wasmFeatures().relaxed ? [false, true] : [false];
  it.each(relaxedOptions)("matches a triple loop on sizes around the tile and block edges (relaxed madd: %s)", (relaxed) => {
    const s: GemmShape = { dtype, mr, nr, kc: 16, mc: mr * 3, nc: nr * 2, relaxed };
    const round = dtype === "float32" ? Math.fround : (x: number) => x;
    const sizes: [number, number, number][] = [[1, 1, 1], [mr, nr, 16], [mr + 1, nr - 1, 17], [3 * mr + 2, 2 * nr + 3, 40], [2, 5 * nr + 1, 3]];
    for (const [M, N, K] of sizes) {
      for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
        const a = values(M * K, M + 31 * K, round), b = values(K * N, N + 17 * K, round);
        const got = runGemm(s, M, N, K, ta, tb, a, b);
        const want = naive(M, N, K, ta, tb, a, b);
        const tol = (dtype === "float32" ? 1e-6 : 1e-14) * K;
        let worst = 0;
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
        expect(worst, `M=${M} N=${N} K=${K} ta=${ta} tb=${tb}`).toBeLessThanOrEqual(tol);
      }
    }
  });
});

describe("wasm GEMM generator, invalid shapes", () => {
  it("rejects a tile width that is not a whole number of vectors", () => {
    const m = new ModuleBuilder();
    m.importMemory("env", "mem", 1, 1, false);
    expect(() => buildGemm(m, { dtype: "float32", mr: 4, nr: 6, kc: 16, mc: 8, nc: 12, relaxed: false })).toThrow(/nr=6/);
  });
});
