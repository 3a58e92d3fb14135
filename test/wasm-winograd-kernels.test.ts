/**
 * The Winograd transforms one by one (winograd-kernel.ts, winograd-filter-kernel.ts),
 * against the matrix definitions written out in JS, on memory fenced with
 * sentinels: every element a call should write is written, and nothing
 * else is — not the planes outside its range, not the gaps between ξ
 * planes, not a byte before or after its region (an output row past the
 * plane's edge would land there). Tiles per row cover the vector path, its
 * scalar tail, and odd output sizes; f32 and f64.
 */
import { describe, expect, it } from "vitest";
import { getRuntime } from "../src/backend/wasm/runtime.js";
import { wasmFeatures } from "../src/backend/wasm/features.js";
import { rng } from "./conv-reference.js";
import { buildWinograd4Input, buildWinograd4Output, F4_AT, F4_BT, paddedTiles, winograd4Tables } from "../src/backend/wasm/winograd4-kernel.js";
import { ModuleBuilder } from "../src/backend/wasm/emitter.js";
import { buildWinograd4Cotangent, buildWinograd4Scatter, winograd4ScatterTables } from "../src/backend/wasm/winograd4-transposed-kernel.js";
import { MAX_PAGES } from "../src/backend/wasm/module.js";

const rand = rng(2468);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
const SENTINEL = 12345.5;
const GUARD = 16; // elements of sentinel before and after each region

const Bt = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]];
const At = [[1, 1, 1, 0], [0, 1, -1, -1]];
const A = [[1, 0], [1, 1], [1, -1], [0, -1]];
/** L·X·Rᵀ for small dense matrices. */
const sandwich = (L: number[][], X: number[][], R: number[][]) =>
  L.map((l) => R.map((r) => l.reduce((acc, la, i) => acc + la * r.reduce((s, rb, j) => s + rb * X[i]![j]!, 0), 0)));

/** A region of Wasm memory of `n` elements with GUARD sentinels on both sides; `at` is its first element's byte address. */
function fenced(base: number, n: number, es: number, View: Float32ArrayConstructor | Float64ArrayConstructor, fill: (i: number) => number) {
  const rt = getRuntime();
  expect(rt.ensure(base + (n + 2 * GUARD) * es)).toBe(true);
  const all = new View(rt.memory.buffer, base, n + 2 * GUARD);
  all.fill(SENTINEL);
  for (let i = 0; i < n; i++) all[GUARD + i] = fill(i);
  return { at: base + GUARD * es, end: base + (n + 2 * GUARD) * es, get: (i: number) => all[GUARD + i]!, guardsIntact: () => [...all.subarray(0, GUARD), ...all.subarray(GUARD + n)].every((v) => v === SENTINEL) };
}

describe.skipIf(!wasmFeatures().simd)("Winograd transform kernels vs their definitions, fenced", () => {
  for (const dtype of ["float32", "float64"] as const) {
    const es = dtype === "float32" ? 4 : 8, sfx = dtype === "float32" ? "f32" : "f64";
    const View = dtype === "float32" ? Float32Array : Float64Array;
    const round = (x: number) => (dtype === "float32" ? Math.fround(x) : x);
    const tol = dtype === "float32" ? 1e-5 : 1e-12;

    it(`${dtype}: winograd_output writes Aᵀ·M·A into exactly its planes' OH×OW outputs`, () => {
      const rt = getRuntime();
      for (let trial = 0; trial < 40; trial++) {
        const N = pick([1, 2]), O = pick([1, 2, 3]), tH = pick([1, 2, 3]), tW = pick([1, 2, 3, 4, 5, 8, 9]);
        const OH = 2 * tH - pick([0, 1]), OW = 2 * tW - pick([0, 1]), tilesPer = tH * tW, T = N * tilesPer;
        const tileMajor = trial % 4 === 3; // tiles O elements apart, channels 1 (the scalar path)
        const [oBytes, tBytes] = tileMajor ? [es, O * es] : [T * es, es];
        const planeM = O * T + 5, i0 = pick([0, 1]) % (N * O), i1 = N * O - (rand() < 0.3 ? 1 : 0);
        const m = fenced(rt.operandBase(), 16 * planeM, es, View, () => round(rand() * 2 - 1));
        const out = fenced(m.end, N * O * OH * OW, es, View, () => NaN);
        rt.exports[`winograd_output_${sfx}`](m.at, out.at, i0, i1, O, tH, tW, tilesPer, planeM * es, oBytes, tBytes, OH, OW);
        expect(out.guardsIntact(), `trial ${trial}: guards`).toBe(true);
        for (let i = 0; i < N * O; i++) {
          const n = Math.floor(i / O), o = i % O;
          for (let th = 0; th < tH; th++) for (let tw = 0; tw < tW; tw++) {
            const t = n * tilesPer + th * tW + tw;
            const X = [0, 1, 2, 3].map((a) => [0, 1, 2, 3].map((b) => m.get((a * 4 + b) * planeM + (o * oBytes + t * tBytes) / es)));
            const Y = sandwich(At, X, At);
            for (let r = 0; r < 2; r++) for (let s = 0; s < 2; s++) {
              const y = 2 * th + r, x = 2 * tw + s;
              if (y >= OH || x >= OW) continue;
              const got = out.get((i * OH + y) * OW + x);
              if (i < i0 || i >= i1) { if (!Number.isNaN(got)) expect.fail(`trial ${trial}: plane ${i} outside [${i0}, ${i1}) written`); continue; }
              if (!(Math.abs(got - Y[r]![s]!) <= tol * 8)) expect.fail(`trial ${trial} O ${O} tH ${tH} tW ${tW} OH ${OH} OW ${OW}: plane ${i} (${y}, ${x}) ${got} vs ${Y[r]![s]}`);
            }
          }
        }
      }
    });

    for (const [name, size, L, R] of [["winograd_input", 4, Bt, Bt], ["winograd_cotangent", 2, A, A]] as const) {
      it(`${dtype}: ${name} writes ${name === "winograd_input" ? "Bᵀ·d·B" : "A·y·Aᵀ"} for exactly its pairs' tiles`, () => {
        const rt = getRuntime();
        for (let trial = 0; trial < 40; trial++) {
          const N = pick([1, 2, 3]), C = pick([1, 2, 3]), tH = pick([1, 2, 3]), tW = pick([1, 2, 3, 4, 5, 8, 9]);
          // Planes as the pad step leaves them: 2·tH + 2 rows for 4×4 tiles at stride 2, 2·tH for 2×2 ones; rows a little wider.
          const rows = size === 4 ? 2 * tH + 2 : 2 * tH, cols = (size === 4 ? 2 * tW + 2 : 2 * tW) + pick([0, 3]);
          const tilesPer = tH * tW, T = N * tilesPer, planeV = C * T + 7;
          const i0 = pick([0, 1]) % (N * C), i1 = N * C - (rand() < 0.3 ? 1 : 0);
          const x = fenced(rt.operandBase(), N * C * rows * cols, es, View, () => round(rand() * 2 - 1));
          const v = fenced(x.end, 16 * planeV, es, View, () => NaN);
          rt.exports[`${name}_${sfx}`](x.at, v.at, i0, i1, C, tH, tW, cols * es, rows * cols * es, tilesPer, T, planeV * es);
          expect(v.guardsIntact(), `trial ${trial}: guards`).toBe(true);
          const written = new Set<number>();
          for (let i = i0; i < i1; i++) {
            const n = Math.floor(i / C), c = i % C;
            for (let th = 0; th < tH; th++) for (let tw = 0; tw < tW; tw++) {
              const t = n * tilesPer + th * tW + tw;
              const D = Array.from({ length: size }, (_, r) => Array.from({ length: size }, (_, s) => x.get(i * rows * cols + (2 * th + r) * cols + 2 * tw + s)));
              const Vt = sandwich(L, D, R);
              for (let xi = 0; xi < 16; xi++) {
                const at = xi * planeV + c * T + t;
                written.add(at);
                const got = v.get(at), want = Vt[xi >> 2]![xi & 3]!;
                if (!(Math.abs(got - want) <= tol * 8)) expect.fail(`trial ${trial} C ${C} tH ${tH} tW ${tW}: pair ${i} tile ${t} ξ ${xi}: ${got} vs ${want}`);
              }
            }
          }
          for (let k = 0; k < 16 * planeV; k++) if (!written.has(k) && !Number.isNaN(v.get(k))) expect.fail(`trial ${trial}: element ${k} written outside the pairs' tiles`);
        }
      });
    }
  }

  // The runtime's kernels (fused multiply-add where the engine has relaxed SIMD) and a build with separate multiply and add.
  describe.each(wasmFeatures().relaxed ? ["runtime", "separate multiply and add"] : ["runtime"])("F(4×4, 3×3), float32, %s", (build) => {
    const es = 4, tol = 1e-5;
    const kernels = () => {
      if (build === "runtime") return getRuntime().exports;
      const m = new ModuleBuilder();
      m.importMemory("env", "mem", 1, MAX_PAGES, wasmFeatures().threads);
      buildWinograd4Input(m, false);
      buildWinograd4Output(m, false);
      buildWinograd4Cotangent(m, false);
      buildWinograd4Scatter(m, false);
      return new WebAssembly.Instance(new WebAssembly.Module(m.bytes()), { env: { mem: getRuntime().memory } }).exports as Record<string, (...args: number[]) => void>;
    };
    const At4 = F4_AT, Bt4 = F4_BT;
    const tableAt = (base: number, table: Int32Array) => {
      const rt = getRuntime();
      expect(rt.ensure(base + table.length * 4 + 64)).toBe(true);
      new Int32Array(rt.memory.buffer, base, table.length).set(table);
      return base + table.length * 4 + 64;
    };

    it("winograd4_output writes Aᵀ·M·A into exactly its planes' OH×OW outputs", () => {
      const rt = getRuntime();
      for (let trial = 0; trial < 40; trial++) {
        const N = pick([1, 2]), O = pick([1, 2, 3]), tH = pick([1, 2, 3]), tW = pick([1, 2, 3, 4, 5, 7]);
        const OH = 4 * tH - pick([0, 1, 2, 3]), OW = 4 * tW - pick([0, 1, 2, 3]), tilesPer = paddedTiles(tH, tW), T = N * tilesPer;
        const planeM = O * T + 8, i0 = pick([0, 1]) % (N * O), i1 = N * O - (rand() < 0.3 ? 1 : 0);
        const tables = winograd4Tables(tH, tW, 0, OH, OW);
        const m = fenced(tableAt(rt.operandBase(), tables.output), 36 * planeM, es, Float32Array, () => Math.fround(rand() * 2 - 1));
        const out = fenced(m.end, N * O * OH * OW, es, Float32Array, () => NaN);
        kernels().winograd4_output_f32!(m.at, out.at, i0, i1, O, tH, tW, tilesPer, planeM * es, T * es, es, OH, OW, rt.operandBase());
        expect(out.guardsIntact(), `trial ${trial}: guards`).toBe(true);
        for (let i = 0; i < N * O; i++) {
          const n = Math.floor(i / O), o = i % O;
          for (let th = 0; th < tH; th++) for (let tw = 0; tw < tW; tw++) {
            const t = n * tilesPer + th * tW + tw;
            const X = Array.from({ length: 6 }, (_, a) => Array.from({ length: 6 }, (_, b) => m.get((a * 6 + b) * planeM + o * T + t)));
            const Y = sandwich(At4, X, At4); // L·X·Rᵀ with R = Aᵀ
            for (let r = 0; r < 4; r++) for (let s = 0; s < 4; s++) {
              const y = 4 * th + r, x = 4 * tw + s;
              if (y >= OH || x >= OW) continue;
              const got = out.get((i * OH + y) * OW + x);
              if (i < i0 || i >= i1) { if (!Number.isNaN(got)) expect.fail(`trial ${trial}: plane ${i} outside [${i0}, ${i1}) written`); continue; }
              if (!(Math.abs(got - Y[r]![s]!) <= tol * 40)) expect.fail(`trial ${trial} O ${O} tH ${tH} tW ${tW} OH ${OH} OW ${OW}: plane ${i} (${y}, ${x}) ${got} vs ${Y[r]![s]}`);
            }
          }
        }
      }
    });


    // A = (Aᵀ)ᵀ, B = (Bᵀ)ᵀ; a tile's (th, tw) from its input offset, whichever order a table lists the tiles in.
    const A4 = At4[0]!.map((_, j) => At4.map((row) => row[j]!)), B4 = Bt4[0]!.map((_, j) => Bt4.map((row) => row[j]!));
    /** Tile t's (th, tw) from its input offset (4·th·rowBytes + 16·tw). */
    const tileAt = (offset: number, rowBytes: number) => [Math.floor(offset / (4 * rowBytes)), (offset % (4 * rowBytes)) / 16];

    // The transforms that write V: a tile of `size` rows and columns at stride 4, L·tile·Lᵀ; tables as each route
    // builds them (the cotangent's: the input gradient's, even tile columns first, and the weight gradient's, in order).
    const writersOfV = [
      { fn: "winograd4_input_f32", what: "Bᵀ·d·B", size: 6, L: Bt4, slack: 8, padding: "tile 0's",
        tables: (_trial: number, tH: number, tW: number, rowBytes: number) => winograd4Tables(tH, tW, rowBytes, 4 * tH, 4 * tW) },
      { fn: "winograd4_cotangent_f32", what: "A·z·Aᵀ", size: 4, L: A4, slack: 40, padding: "zeros",
        tables: (trial: number, tH: number, tW: number, rowBytes: number) =>
          trial % 2 ? winograd4ScatterTables(tH, tW, rowBytes, 4 * tW + 2) : winograd4Tables(tH, tW, rowBytes, 4 * tH, 4 * tW) },
    ] as const;
    for (const k of writersOfV) {
      it(`${k.fn} writes ${k.what} for exactly its pairs' tiles (padding tiles: ${k.padding})`, () => {
        const rt = getRuntime();
        for (let trial = 0; trial < 40; trial++) {
          const N = pick([1, 2, 3]), C = pick([1, 2, 3]), tH = pick([1, 2, 3]), tW = pick([1, 2, 3, 4, 5, 7]);
          // Planes as the pad step leaves them (4·tH + size − 4 rows); rows a little wider at times.
          const rows = 4 * tH + k.size - 4, cols = 4 * tW + k.size - 4 + pick([0, 3]);
          const tables = k.tables(trial, tH, tW, cols * es), tilesPer = tables.tilesPer, T = N * tilesPer, planeV = C * T + 8;
          const i0 = pick([0, 1]) % (N * C), i1 = N * C - (rand() < 0.3 ? 1 : 0);
          const x = fenced(tableAt(rt.operandBase(), tables.input), N * C * rows * cols, es, Float32Array, () => Math.fround(rand() * 2 - 1));
          const v = fenced(x.end, 36 * planeV, es, Float32Array, () => NaN);
          kernels()[k.fn]!(x.at, v.at, i0, i1, C, tH, tW, cols * es, rows * cols * es, tilesPer, T, planeV * es, rt.operandBase());
          expect(v.guardsIntact(), `trial ${trial}: guards`).toBe(true);
          const written = new Set<number>();
          for (let i = i0; i < i1; i++) {
            const n = Math.floor(i / C), c = i % C;
            for (let tile = 0; tile < tilesPer; tile++) {
              const [th, tw] = tileAt(tables.input[tile]!, cols * es);
              const D = Array.from({ length: k.size }, (_, r) => Array.from({ length: k.size }, (_, s) => x.get(i * rows * cols + (4 * th! + r) * cols + 4 * tw! + s)));
              const Vt = sandwich(k.L, D, k.L), real = tile < tH * tW;
              for (let xi = 0; xi < 36; xi++) {
                const at = xi * planeV + c * T + n * tilesPer + tile;
                written.add(at);
                const got = v.get(at), want = real || k.padding !== "zeros" ? Vt[Math.floor(xi / 6)]![xi % 6]! : 0;
                if (!(Math.abs(got - want) <= tol * k.slack)) expect.fail(`trial ${trial} C ${C} tH ${tH} tW ${tW}: pair ${i} tile ${tile} ξ ${xi}: ${got} vs ${want}`);
              }
            }
          }
          for (let e = 0; e < 36 * planeV; e++) if (!written.has(e) && !Number.isNaN(v.get(e))) expect.fail(`trial ${trial}: element ${e} written outside the pairs' tiles`);
        }
      });
    }

    it("winograd4_scatter zeroes its planes and adds B·M·Bᵀ per tile, overlapping blocks summed", () => {
      const rt = getRuntime();
      for (let trial = 0; trial < 40; trial++) {
        const N = pick([1, 2]), O = pick([1, 2, 3]), tH = pick([1, 2, 3]), tW = pick([1, 2, 3, 4, 5, 7]);
        const OH = 4 * tH + 2, OW = 4 * tW + 2;
        const tables = winograd4ScatterTables(tH, tW, 0, OW), tilesPer = tables.tilesPer, T = N * tilesPer;
        const planeM = O * T + 8, i0 = pick([0, 1]) % (N * O), i1 = N * O - (rand() < 0.3 ? 1 : 0);
        const m = fenced(tableAt(rt.operandBase(), tables.output), 36 * planeM, es, Float32Array, () => Math.fround(rand() * 2 - 1));
        const out = fenced(m.end, N * O * OH * OW, es, Float32Array, () => NaN);
        kernels().winograd4_scatter_f32!(m.at, out.at, i0, i1, O, tH, tW, tilesPer, planeM * es, T * es, es, OH, OW, rt.operandBase());
        expect(out.guardsIntact(), `trial ${trial}: guards`).toBe(true);
        for (let i = 0; i < N * O; i++) {
          const n = Math.floor(i / O), o = i % O;
          const want = new Float64Array(OH * OW);
          for (let tile = 0; tile < tilesPer; tile++) {
            const at = tables.output[tile]! / 4;
            if (tables.output[tile]! < 0) continue;
            const X = Array.from({ length: 6 }, (_, a) => Array.from({ length: 6 }, (_, b) => m.get((a * 6 + b) * planeM + o * T + n * tilesPer + tile)));
            const R = sandwich(B4, X, B4);
            for (let r = 0; r < 6; r++) for (let c = 0; c < 6; c++) want[at + r * OW + c] += R[r]![c]!;
          }
          for (let k = 0; k < OH * OW; k++) {
            const got = out.get(i * OH * OW + k);
            if (i < i0 || i >= i1) { if (!Number.isNaN(got)) expect.fail(`trial ${trial}: plane ${i} outside [${i0}, ${i1}) written`); continue; }
            if (!(Math.abs(got - want[k]!) <= tol * 100)) expect.fail(`trial ${trial} O ${O} tH ${tH} tW ${tW}: plane ${i} element ${k} ${got} vs ${want[k]}`);
          }
        }
      }
    });
  });
});
