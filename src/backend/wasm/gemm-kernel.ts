/**
 * GEMM in WebAssembly SIMD128, generated: C (+)= A·B with A and B read
 * through (row stride, column stride), so Aᵀ and Bᵀ cost nothing but strides.
 *
 * The loop nest is the usual one for cache-blocked GEMM: B is packed into
 * kc×NR column panels (one panel stays in L1), A into MR×kc row panels (a
 * block of them stays in L2), and a register-tiled micro-kernel keeps an
 * MR×NR tile of C in SIMD registers while it walks k:
 *
 *   C[i, j] += Σ_k A[i, k]·B[k, j]   for an MR×NR tile, k over one kc block.
 *
 * Addresses are byte offsets in the (shared) linear memory; strides count
 * elements. Edge tiles (M or N not multiples of MR, NR) go through a scratch
 * tile. K = 0 is left to the caller (C must be zeroed there).
 */
import { FuncBuilder, I32, ModuleBuilder, Op, Simd, SimdMem, V128 } from "./emitter.js";
import { emitPackAGather, emitPackBGather } from "./gemm-gather-kernel.js";
import { cst, get, panelWidth, scalarOps, storeOrZero } from "./pack-emit.js";

export interface GemmShape {
  dtype: "float32" | "float64";
  /** Rows of the register tile. */
  mr: number;
  /** Columns of the register tile (a multiple of the lanes per vector). */
  nr: number;
  /** Block sizes: kc (depth), mc (rows of A per packed block), nc (columns of B per packed block). */
  kc: number;
  mc: number;
  nc: number;
  /** Use relaxed SIMD's fused multiply-add. */
  relaxed: boolean;
}

/** kcb and mcb: depth and row blocks actually used (≤ kc, mc; see `balancedBlocks`). */
export const GEMM_PARAMS = ["M", "N", "K", "A", "rsA", "csA", "B", "rsB", "csB", "C", "ldc", "packA", "packB", "tile", "kcb", "mcb"] as const;

/**
 * Block sizes that split K and M into equal parts no bigger than kc, mc: K =
 * 784 with kc = 256 runs 4 blocks of 196 rather than 256, 256, 256 and a thin
 * 16 whose packing and C updates cost nearly as much as a full block.
 */
export function balancedBlocks(s: GemmShape, M: number, K: number): { kcb: number; mcb: number } {
  const kcb = Math.max(1, Math.ceil(K / Math.ceil(K / s.kc)));
  const mcb = Math.max(s.mr, Math.ceil(Math.ceil(M / Math.ceil(M / s.mc)) / s.mr) * s.mr);
  return { kcb: Math.min(kcb, s.kc), mcb: Math.min(mcb, s.mc) };
}

/**
 * Where one thread's scratch for `shape`, from `base` (64-byte aligned), keeps
 * its packed A block, packed B block and edge tile, each 64-byte aligned;
 * `end` is past the three.
 */
export function gemmScratch(s: GemmShape, base: number): { packA: number; packB: number; tile: number; end: number } {
  const es = s.dtype === "float32" ? 4 : 8;
  const roundUp = (x: number, m: number) => Math.ceil(x / m) * m;
  const packB = base + roundUp(roundUp(s.mc, s.mr) * s.kc * es, 64);
  const tile = packB + roundUp(roundUp(s.nc, s.nr) * s.kc * es, 64);
  return { packA: base, packB, tile, end: tile + roundUp(s.mr * s.nr * es, 64) };
}

/**
 * Adds `gemm_<suffix>`, `gemm_<suffix>_batched` and `gemm_<suffix>_gather` (exported) and their helpers to `m`;
 * returns the batched one's name. The gather variant takes the GEMM_PARAMS with rsA, csA, rsB, csB replaced by
 * the addresses of its offset tables (gemm-gather-kernel.ts).
 */
export function buildGemm(m: ModuleBuilder, s: GemmShape): string {
  const suffix = s.dtype === "float32" ? "f32" : "f64";
  const es = s.dtype === "float32" ? 4 : 8;
  const lanes = 16 / es;
  if (s.nr % lanes !== 0) throw new RangeError(`buildGemm: nr=${s.nr} is not a multiple of ${lanes} lanes`);
  if (s.mc % s.mr !== 0 || s.nc % s.nr !== 0) throw new RangeError("buildGemm: mc and nc must be multiples of mr and nr");
  const packA = emitPackA(m, s, es);
  const packB = emitPackB(m, s, es, lanes);
  const kernel = emitMicroKernel(m, s, es, lanes);
  const name = `gemm_${suffix}`;
  const macro = emitMacro(m, s, es, name, m.indexOf(packA), m.indexOf(packB), m.indexOf(kernel), false);
  const gatherA = emitPackAGather(m, s, es), gatherB = emitPackBGather(m, s, es, lanes);
  emitMacro(m, s, es, `${name}_gather`, m.indexOf(gatherA), m.indexOf(gatherB), m.indexOf(kernel), true);
  return buildBatched(m, name, m.indexOf(macro));
}

/** packA(src, rs, cs, mc, kc, dst): dst[(p·kc + k)·MR + r] = A[p·MR + r, k], zero past mc rows. */
function emitPackA(m: ModuleBuilder, s: GemmShape, es: number): FuncBuilder {
  const f = m.func(null, [I32, I32, I32, I32, I32, I32], []);
  const [src, rs, cs, mc, kc, dst] = [0, 1, 2, 3, 4, 5];
  const p = f.local(I32), k = f.local(I32), r = f.local(I32), rows = f.local(I32), ptr = f.local(I32);
  const rsB = f.local(I32), csB = f.local(I32);
  const sc = scalarOps(es);
  f.localGet(rs).i32Const(es).op(Op.i32_mul).localSet(rsB);
  f.localGet(cs).i32Const(es).op(Op.i32_mul).localSet(csB);
  f.forRange(p, cst(f, 0), get(f, mc), s.mr, () => {
    panelWidth(f, mc, p, s.mr, rows);
    f.localGet(rows).i32Const(s.mr).op(Op.i32_eq).if_();
    {
      f.forRange(k, cst(f, 0), get(f, kc), 1, () => {
        // ptr = src + p·rsB + k·csB
        f.localGet(src).localGet(p).localGet(rsB).op(Op.i32_mul).op(Op.i32_add).localGet(k).localGet(csB).op(Op.i32_mul).op(Op.i32_add).localSet(ptr);
        for (let rr = 0; rr < s.mr; rr++) {
          f.localGet(dst).localGet(ptr).mem(sc.load, 0, 0).mem(sc.store, rr * es, 0);
          if (rr < s.mr - 1) f.localGet(ptr).localGet(rsB).op(Op.i32_add).localSet(ptr);
        }
        f.localGet(dst).i32Const(s.mr * es).op(Op.i32_add).localSet(dst);
      });
    }
    f.else_();
    {
      f.forRange(k, cst(f, 0), get(f, kc), 1, () => {
        f.localGet(src).localGet(p).localGet(rsB).op(Op.i32_mul).op(Op.i32_add).localGet(k).localGet(csB).op(Op.i32_mul).op(Op.i32_add).localSet(ptr);
        f.forRange(r, cst(f, 0), cst(f, s.mr), 1, () => {
          storeOrZero(f, es, dst, r, rows, () => f.localGet(ptr).mem(sc.load, 0, 0).localGet(ptr).localGet(rsB).op(Op.i32_add).localSet(ptr));
        });
        f.localGet(dst).i32Const(s.mr * es).op(Op.i32_add).localSet(dst);
      });
    }
    f.end();
  });
  return f;
}

/** packB(src, rs, cs, kc, nc, dst): dst[(q·kc + k)·NR + c] = B[k, q·NR + c], zero past nc columns. */
function emitPackB(m: ModuleBuilder, s: GemmShape, es: number, lanes: number): FuncBuilder {
  const f = m.func(null, [I32, I32, I32, I32, I32, I32], []);
  const [src, rs, cs, kc, nc, dst] = [0, 1, 2, 3, 4, 5];
  const q = f.local(I32), k = f.local(I32), c = f.local(I32), cols = f.local(I32), ptr = f.local(I32);
  const rsB = f.local(I32), csB = f.local(I32);
  const sc = scalarOps(es);
  f.localGet(rs).i32Const(es).op(Op.i32_mul).localSet(rsB);
  f.localGet(cs).i32Const(es).op(Op.i32_mul).localSet(csB);
  f.forRange(q, cst(f, 0), get(f, nc), s.nr, () => {
    panelWidth(f, nc, q, s.nr, cols);
    // Contiguous full panel: whole vectors.
    f.localGet(cols).i32Const(s.nr).op(Op.i32_eq).localGet(cs).i32Const(1).op(Op.i32_eq).op(Op.i32_and).if_();
    {
      f.forRange(k, cst(f, 0), get(f, kc), 1, () => {
        f.localGet(src).localGet(k).localGet(rsB).op(Op.i32_mul).op(Op.i32_add).localGet(q).i32Const(es).op(Op.i32_mul).op(Op.i32_add).localSet(ptr);
        for (let v = 0; v < s.nr / lanes; v++) {
          f.localGet(dst).localGet(ptr).simdMem(SimdMem.v128_load, v * 16, 0).simdMem(SimdMem.v128_store, v * 16, 0);
        }
        f.localGet(dst).i32Const(s.nr * es).op(Op.i32_add).localSet(dst);
      });
    }
    f.else_();
    // Strided full panel (Bᵀ read through strides): NR scalar copies per k, unrolled.
    f.localGet(cols).i32Const(s.nr).op(Op.i32_eq).if_();
    {
      f.forRange(k, cst(f, 0), get(f, kc), 1, () => {
        f.localGet(src).localGet(k).localGet(rsB).op(Op.i32_mul).op(Op.i32_add).localGet(q).localGet(csB).op(Op.i32_mul).op(Op.i32_add).localSet(ptr);
        for (let cc = 0; cc < s.nr; cc++) {
          f.localGet(dst).localGet(ptr).mem(sc.load, 0, 0).mem(sc.store, cc * es, 0);
          if (cc < s.nr - 1) f.localGet(ptr).localGet(csB).op(Op.i32_add).localSet(ptr);
        }
        f.localGet(dst).i32Const(s.nr * es).op(Op.i32_add).localSet(dst);
      });
    }
    f.else_();
    {
      f.forRange(k, cst(f, 0), get(f, kc), 1, () => {
        f.localGet(src).localGet(k).localGet(rsB).op(Op.i32_mul).op(Op.i32_add).localGet(q).localGet(csB).op(Op.i32_mul).op(Op.i32_add).localSet(ptr);
        f.forRange(c, cst(f, 0), cst(f, s.nr), 1, () => {
          storeOrZero(f, es, dst, c, cols, () => f.localGet(ptr).mem(sc.load, 0, 0).localGet(ptr).localGet(csB).op(Op.i32_add).localSet(ptr));
        });
        f.localGet(dst).i32Const(s.nr * es).op(Op.i32_add).localSet(dst);
      });
    }
    f.end();
    f.end();
  });
  return f;
}

/**
 * kernel(kc, pa, pb, c, ldcBytes, mr, nr, accumulate, tile): the MR×NR tile
 * C[0:mr, 0:nr] (+)= Ap·Bp over kc steps, Ap and Bp packed panels.
 */
function emitMicroKernel(m: ModuleBuilder, s: GemmShape, es: number, lanes: number): FuncBuilder {
  const f = m.func(null, [I32, I32, I32, I32, I32, I32, I32, I32, I32], []);
  const [kc, pa, pb, c, ldc, mr, nr, accumulate, tile] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const nv = s.nr / lanes;
  const acc: number[][] = [];
  for (let r = 0; r < s.mr; r++) acc.push(Array.from({ length: nv }, () => f.local(V128)));
  const b = Array.from({ length: nv }, () => f.local(V128));
  const a = f.local(V128);
  const paEnd = f.local(I32), row = f.local(I32), i = f.local(I32), j = f.local(I32), addr = f.local(I32);
  const splat = es === 4 ? SimdMem.v128_load32_splat : SimdMem.v128_load64_splat;
  const [mul, add, madd] = es === 4 ? [Simd.f32x4_mul, Simd.f32x4_add, Simd.f32x4_relaxed_madd] : [Simd.f64x2_mul, Simd.f64x2_add, Simd.f64x2_relaxed_madd];
  const sc = scalarOps(es);

  const zero = new Uint8Array(16);
  for (const rowAcc of acc) for (const x of rowAcc) f.v128Const(zero).localSet(x);

  // One k step: NR/lanes vectors of B, then per row one broadcast of A and NR/lanes multiply-adds.
  const step = () => {
    for (let v = 0; v < nv; v++) f.localGet(pb).simdMem(SimdMem.v128_load, v * lanes * es, 0).localSet(b[v]!);
    for (let r = 0; r < s.mr; r++) {
      f.localGet(pa).simdMem(splat, r * es, 0).localSet(a);
      for (let v = 0; v < nv; v++) {
        if (s.relaxed) f.localGet(a).localGet(b[v]!).localGet(acc[r]![v]!).simd(madd).localSet(acc[r]![v]!);
        else f.localGet(acc[r]![v]!).localGet(a).localGet(b[v]!).simd(mul).simd(add).localSet(acc[r]![v]!);
      }
    }
  };
  // while (pa < paEnd) one k step. Not unrolled: with several steps per
  // iteration TurboFan schedules all their loads first and then spills
  // accumulators (seen in `node --print-wasm-code`); one step per iteration
  // keeps the 6x8 tile's 12 accumulators, 2 B vectors and the A broadcast in
  // 15 XMM registers. Counting on pa's end saves a k counter.
  f.localGet(kc).i32Const(s.mr * es).op(Op.i32_mul).localGet(pa).op(Op.i32_add).localSet(paEnd);
  f.block().loop();
  f.localGet(pa).localGet(paEnd).op(Op.i32_ge_u).brIf(1);
  step();
  f.localGet(pa).i32Const(s.mr * es).op(Op.i32_add).localSet(pa);
  f.localGet(pb).i32Const(s.nr * es).op(Op.i32_add).localSet(pb);
  f.br(0).end().end();

  // Full tile: straight to C. Edge tile: via scratch, element by element.
  f.localGet(mr).i32Const(s.mr).op(Op.i32_eq).localGet(nr).i32Const(s.nr).op(Op.i32_eq).op(Op.i32_and).if_();
  {
    f.localGet(c).localSet(row);
    for (let r = 0; r < s.mr; r++) {
      for (let v = 0; v < nv; v++) {
        f.localGet(row);
        f.localGet(accumulate).if_();
        f.localGet(row).simdMem(SimdMem.v128_load, v * 16, 0).localGet(acc[r]![v]!).simd(add).localSet(acc[r]![v]!);
        f.end();
        f.localGet(acc[r]![v]!).simdMem(SimdMem.v128_store, v * 16, 0);
      }
      if (r < s.mr - 1) f.localGet(row).localGet(ldc).op(Op.i32_add).localSet(row);
    }
  }
  f.else_();
  {
    for (let r = 0; r < s.mr; r++) {
      for (let v = 0; v < nv; v++) f.localGet(tile).localGet(acc[r]![v]!).simdMem(SimdMem.v128_store, (r * s.nr + v * lanes) * es, 0);
    }
    f.localGet(c).localSet(row);
    f.forRange(i, cst(f, 0), get(f, mr), 1, () => {
      f.forRange(j, cst(f, 0), get(f, nr), 1, () => {
        f.localGet(row).localGet(j).i32Const(es).op(Op.i32_mul).op(Op.i32_add).localTee(addr);
        f.localGet(tile).localGet(i).i32Const(s.nr).op(Op.i32_mul).localGet(j).op(Op.i32_add).i32Const(es).op(Op.i32_mul).op(Op.i32_add).mem(sc.load, 0, 0);
        // value += C[addr] when accumulating
        f.localGet(accumulate).if_(sc.type);
        f.localGet(addr).mem(sc.load, 0, 0);
        f.else_();
        sc.zero(f);
        f.end();
        f.op(sc.add);
        f.mem(sc.store, 0, 0);
      });
      f.localGet(row).localGet(ldc).op(Op.i32_add).localSet(row);
    });
  }
  f.end();
  return f;
}

/**
 * gemm(M, N, K, A, rsA, csA, B, rsB, csB, C, ldc, packA, packB, tile, kcb, mcb): C = A·B, ldc in elements.
 * With `gather`, rsA/csA and rsB/csB are the row and column offset tables of A and B, and a block's tables
 * are the tables advanced to its first row and column.
 */
function emitMacro(m: ModuleBuilder, s: GemmShape, es: number, name: string, packA: number, packB: number, kernel: number, gather: boolean): FuncBuilder {
  const f = m.func(name, GEMM_PARAMS.map(() => I32), []);
  const [M, N, K, A, rsA, csA, B, rsB, csB, C, ldc, pA, pB, tile, kcb, mcb] = GEMM_PARAMS.map((_, i) => i);
  const jc = f.local(I32), pc = f.local(I32), ic = f.local(I32), jr = f.local(I32), ir = f.local(I32);
  const nc = f.local(I32), kc = f.local(I32), mc = f.local(I32);
  const min = (x: () => void, cap: number | { local: number }, into: number) => {
    const push = () => (typeof cap === "number" ? f.i32Const(cap) : f.localGet(cap.local));
    x();
    f.localTee(into);
    push();
    f.localGet(into);
    push();
    f.op(Op.i32_lt_s).op(Op.select).localSet(into);
  };
  const ldcBytes = () => f.localGet(ldc).i32Const(es).op(Op.i32_mul);
  // The first three arguments of a pack routine for the block of X from row r0, column c0: with `gather`,
  // X and its row and column tables advanced to the block; else X + (r0·rs + c0·cs)·es, rs, cs.
  const block = (X: number, rs: number, cs: number, r0: number, c0: number) => {
    if (gather) {
      f.localGet(X).localGet(rs).localGet(r0).i32Const(4).op(Op.i32_mul).op(Op.i32_add).localGet(cs).localGet(c0).i32Const(4).op(Op.i32_mul).op(Op.i32_add);
    } else {
      f.localGet(X).localGet(r0).localGet(rs).op(Op.i32_mul).localGet(c0).localGet(cs).op(Op.i32_mul).op(Op.i32_add).i32Const(es).op(Op.i32_mul).op(Op.i32_add);
      f.localGet(rs).localGet(cs);
    }
  };
  f.forRange(jc, cst(f, 0), get(f, N), s.nc, () => {
    min(() => f.localGet(N).localGet(jc).op(Op.i32_sub), s.nc, nc);
    f.forRange(pc, cst(f, 0), get(f, K), { local: kcb! }, () => {
      min(() => f.localGet(K).localGet(pc).op(Op.i32_sub), { local: kcb! }, kc);
      block(B, rsB, csB, pc, jc);
      f.localGet(kc).localGet(nc).localGet(pB).call(packB);
      f.forRange(ic, cst(f, 0), get(f, M), { local: mcb! }, () => {
        min(() => f.localGet(M).localGet(ic).op(Op.i32_sub), { local: mcb! }, mc);
        block(A, rsA, csA, ic, pc);
        f.localGet(mc).localGet(kc).localGet(pA).call(packA);
        f.forRange(jr, cst(f, 0), get(f, nc), s.nr, () => {
          f.forRange(ir, cst(f, 0), get(f, mc), s.mr, () => {
            f.localGet(kc);
            f.localGet(pA).localGet(ir).localGet(kc).op(Op.i32_mul).i32Const(es).op(Op.i32_mul).op(Op.i32_add);
            f.localGet(pB).localGet(jr).localGet(kc).op(Op.i32_mul).i32Const(es).op(Op.i32_mul).op(Op.i32_add);
            // C + ((ic + ir)·ldc + jc + jr)·es
            f.localGet(C).localGet(ic).localGet(ir).op(Op.i32_add).localGet(ldc).op(Op.i32_mul).localGet(jc).op(Op.i32_add).localGet(jr).op(Op.i32_add).i32Const(es).op(Op.i32_mul).op(Op.i32_add);
            ldcBytes();
            // mr = min(MR, mc - ir), nr = min(NR, nc - jr), computed inline with select
            f.localGet(mc).localGet(ir).op(Op.i32_sub).i32Const(s.mr).localGet(mc).localGet(ir).op(Op.i32_sub).i32Const(s.mr).op(Op.i32_lt_s).op(Op.select);
            f.localGet(nc).localGet(jr).op(Op.i32_sub).i32Const(s.nr).localGet(nc).localGet(jr).op(Op.i32_sub).i32Const(s.nr).op(Op.i32_lt_s).op(Op.select);
            f.localGet(pc).i32Const(0).op(Op.i32_gt_s);
            f.localGet(tile);
            f.call(kernel);
          });
        });
      });
    });
  });
  return f;
}

export const BATCHED_PARAMS = ["count", "strideA", "strideB", "strideC", ...GEMM_PARAMS] as const;

/**
 * `<gemm>_batched(count, strideA, strideB, strideC, ...gemm args)`: `count`
 * independent products, operand addresses advancing by the strides (bytes).
 */
export function buildBatched(m: ModuleBuilder, gemmName: string, gemmIndex: number): string {
  const f = m.func(`${gemmName}_batched`, BATCHED_PARAMS.map(() => I32), []);
  const i = f.local(I32);
  const [count, sA, sB, sC] = [0, 1, 2, 3];
  const at = (name: (typeof GEMM_PARAMS)[number]) => 4 + GEMM_PARAMS.indexOf(name);
  f.forRange(i, cst(f, 0), get(f, count), 1, () => {
    for (const p of GEMM_PARAMS) {
      f.localGet(at(p));
      if (p === "A") f.localGet(i).localGet(sA).op(Op.i32_mul).op(Op.i32_add);
      if (p === "B") f.localGet(i).localGet(sB).op(Op.i32_mul).op(Op.i32_add);
      if (p === "C") f.localGet(i).localGet(sC).op(Op.i32_mul).op(Op.i32_add);
    }
    f.call(gemmIndex);
  });
  return `${gemmName}_batched`;
}
