/**
 * Direct 2-D convolutions in WebAssembly SIMD128 for the two shapes GEMM
 * serves badly (stride 1, no padding or dilation, one group):
 *
 *   out[n, o, py, px] = Σ_c Σ_{ky, kx} x[n, c, py + ky, px + kx] · w[o, c, ky, kx]
 *
 * "taps" (a network's first conv: one input channel, 3×3, K = 9): each
 * output row is a vector loop over output columns, the kh·kw weights held
 * splatted in locals, one unaligned load per tap; the sum runs over c, then
 * ky, kx, as a sequential sum (the plane accumulates across c, out of L1).
 *
 * "positions" (that conv's weight gradient: a 26×26 "kernel", a 3×3
 * output): one vector accumulator per output position, a vector loop over
 * kernel columns; the last kw mod lanes columns are a vector that overlaps
 * the previous one, its repeated lanes masked to +0 after the product (so
 * no 0·∞ reaches the sum). Lanes are summed at the end.
 *
 * Both take (n, o) pairs i ∈ [i0, i1) (n = ⌊i / O⌋), so threads split by
 * pair; x and w may be strided views (byte strides per axis, columns
 * contiguous); out is row-major [N, O, OH, OW]. Addresses are bytes.
 */
import { I32, ModuleBuilder, Op, Simd, SimdLane, SimdMem, V128 } from "./emitter.js";
import { KINDS, type Kind } from "./kinds.js";

const ARITH = {
  f32: { vmul: Simd.f32x4_mul, vadd: Simd.f32x4_add, mul: Op.f32_mul, add: Op.f32_add, lane: SimdLane.f32x4_extract_lane },
  f64: { vmul: Simd.f64x2_mul, vadd: Simd.f64x2_add, mul: Op.f64_mul, add: Op.f64_add, lane: SimdLane.f64x2_extract_lane },
} as const;

export const tapsName = (kind: Kind, kh: number, kw: number) => `conv_taps_${kind}_${kh}x${kw}`;
export const positionsName = (kind: Kind, oh: number, ow: number) => `conv_pos_${kind}_${oh}x${ow}`;

/**
 * `conv_taps_<kind>_<kh>x<kw>(x, w, out, i0, i1, O, C, OH, OW, xsN, xsC, xsH, wsO, wsC, mask)`; w's
 * taps contiguous per (o, c). A row's last OW mod lanes columns (OW ≥ lanes) are one more vector
 * ending at OW, blended into the row by `mask` (ones on the lanes not yet written for this c:
 * lane j ≥ lanes − OW mod lanes); B3's 26 columns lost a quarter of the time to a scalar tail.
 */
export function emitConvTaps(m: ModuleBuilder, kind: Kind, kh: number, kw: number): void {
  const k = KINDS[kind], a = ARITH[kind], L = k.lanes, es = k.es, T = kh * kw;
  const f = m.func(tapsName(kind, kh, kw), Array.from({ length: 15 }, () => I32), []);
  const [x, w, out, i0, i1, O, C, OH, OW, xsN, xsC, xsH, wsO, wsC, mask] = Array.from({ length: 15 }, (_, i) => i);
  const [i, n, o, c, y, xx, xPlane, wPtr, oPlane, oRow, vend, planeB, at, blend] = Array.from({ length: 14 }, () => f.local(I32));
  const mv = f.local(V128), old = f.local(V128);
  const rows = Array.from({ length: kh }, () => f.local(I32));
  // The two-row loop: its kh + 1 input row pointers, two output pointers and accumulators, bumped a vector at a time.
  const pp = Array.from({ length: kh + 1 }, () => f.local(I32));
  const [po0, po1] = [f.local(I32), f.local(I32)];
  const [acc0, acc1, xv] = [f.local(V128), f.local(V128), f.local(V128)];
  const wv = Array.from({ length: T }, () => f.local(V128));
  const ws = Array.from({ length: T }, () => f.local(k.type));
  f.localGet(OW).i32Const(-L).op(Op.i32_and).localSet(vend);
  f.localGet(mask).simdMem(SimdMem.v128_load, 0, 0).localSet(mv);
  // blend = 1 when the tail is one blended vector (OW ≥ L, OW mod L ≠ 0); else a scalar loop takes it.
  f.localGet(OW).i32Const(L).op(Op.i32_ge_s).localGet(OW).i32Const(L - 1).op(Op.i32_and).i32Const(0).op(Op.i32_ne).op(Op.i32_and).localSet(blend);
  f.localGet(OH).localGet(OW).op(Op.i32_mul).i32Const(es).op(Op.i32_mul).localSet(planeB);
  /** One output element (scalar) or vector at column xx of the row: acc (the plane so far, or 0 for c = 0) + Σ taps. */
  const point = (vector: boolean, blended = false) => {
    f.localGet(xx).i32Const(es).op(Op.i32_mul).localSet(at);
    f.localGet(oRow).localGet(at).op(Op.i32_add);
    if (blended) f.localGet(oRow).localGet(at).op(Op.i32_add).simdMem(SimdMem.v128_load, 0, 0).localSet(old);
    f.localGet(c).if_(vector ? V128 : k.type);
    f.localGet(oRow).localGet(at).op(Op.i32_add);
    if (vector) f.simdMem(SimdMem.v128_load, 0, 0);
    else f.mem(k.load, 0, k.align);
    f.else_();
    if (vector) f.v128Const(new Uint8Array(16));
    else if (kind === "f32") f.f32Const(0);
    else f.f64Const(0);
    f.end();
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        f.localGet(rows[ky]!).localGet(at).op(Op.i32_add);
        if (vector) f.simdMem(SimdMem.v128_load, kx * es, 0).localGet(wv[ky * kw + kx]!).simd(a.vmul).simd(a.vadd);
        else f.mem(k.load, kx * es, k.align).localGet(ws[ky * kw + kx]!).op(a.mul).op(a.add);
      }
    }
    if (blended) f.localGet(old).localGet(mv).simd(Simd.v128_bitselect);
    if (vector) f.simdMem(SimdMem.v128_store, 0, 0);
    else f.mem(k.store, 0, k.align);
  };
  f.forRange(i, () => void f.localGet(i0), () => void f.localGet(i1), 1, () => {
    f.localGet(i).localGet(O).op(Op.i32_div_u).localSet(n);
    f.localGet(i).localGet(n).localGet(O).op(Op.i32_mul).op(Op.i32_sub).localSet(o);
    f.localGet(out).localGet(i).localGet(planeB).op(Op.i32_mul).op(Op.i32_add).localSet(oPlane);
    f.forRange(c, () => void f.i32Const(0), () => void f.localGet(C), 1, () => {
      f.localGet(x).localGet(n).localGet(xsN).op(Op.i32_mul).op(Op.i32_add).localGet(c).localGet(xsC).op(Op.i32_mul).op(Op.i32_add).localSet(xPlane);
      f.localGet(w).localGet(o).localGet(wsO).op(Op.i32_mul).op(Op.i32_add).localGet(c).localGet(wsC).op(Op.i32_mul).op(Op.i32_add).localSet(wPtr);
      for (let t = 0; t < T; t++) {
        f.localGet(wPtr).simdMem(k.splat, t * es, 0).localSet(wv[t]!);
        f.localGet(wPtr).mem(k.load, t * es, k.align).localSet(ws[t]!);
      }
      /** rows[] and oRow for output row `row` (pushes nothing). */
      const rowAt = (row: () => void) => {
        f.localGet(xPlane);
        row();
        f.localGet(xsH).op(Op.i32_mul).op(Op.i32_add).localSet(rows[0]!);
        for (let ky = 1; ky < kh; ky++) f.localGet(rows[ky - 1]!).localGet(xsH).op(Op.i32_add).localSet(rows[ky]!);
        f.localGet(oPlane);
        row();
        f.localGet(OW).op(Op.i32_mul).i32Const(es).op(Op.i32_mul).op(Op.i32_add).localSet(oRow);
      };
      const tail = () => {
        f.localGet(blend).if_();
        f.localGet(OW).i32Const(L).op(Op.i32_sub).localSet(xx);
        point(true, true);
        f.else_();
        f.forRange(xx, () => void f.localGet(vend), () => void f.localGet(OW), 1, () => point(false));
        f.end();
      };
      // Output rows in pairs: each input vector loaded once serves both (kh + 1 rows of loads, not 2·kh),
      // and the two accumulators are independent chains (B3's first conv: 1.3 → see the report).
      f.i32Const(0).localSet(y);
      f.block().loop();
      f.localGet(y).i32Const(1).op(Op.i32_add).localGet(OH).op(Op.i32_ge_s).brIf(1);
      rowAt(() => void f.localGet(y));
      f.localGet(rows[kh - 1]!).localGet(xsH).op(Op.i32_add).localSet(pp[kh]!);
      for (let r = 0; r < kh; r++) f.localGet(rows[r]!).localSet(pp[r]!);
      f.localGet(oRow).localSet(po0);
      f.localGet(oRow).localGet(OW).i32Const(es).op(Op.i32_mul).op(Op.i32_add).localSet(po1);
      f.forRange(xx, () => void f.i32Const(0), () => void f.localGet(vend), L, () => {
        for (const [acc, po] of [[acc0, po0], [acc1, po1]] as const) {
          f.localGet(c).if_(V128);
          f.localGet(po).simdMem(SimdMem.v128_load, 0, 0);
          f.else_();
          f.v128Const(new Uint8Array(16));
          f.end();
          f.localSet(acc);
        }
        for (let r = 0; r <= kh; r++) {
          for (let kx = 0; kx < kw; kx++) {
            f.localGet(pp[r]!).simdMem(SimdMem.v128_load, kx * es, 0).localSet(xv);
            if (r < kh) f.localGet(acc0).localGet(xv).localGet(wv[r * kw + kx]!).simd(a.vmul).simd(a.vadd).localSet(acc0);
            if (r > 0) f.localGet(acc1).localGet(xv).localGet(wv[(r - 1) * kw + kx]!).simd(a.vmul).simd(a.vadd).localSet(acc1);
          }
        }
        f.localGet(po0).localGet(acc0).simdMem(SimdMem.v128_store, 0, 0);
        f.localGet(po1).localGet(acc1).simdMem(SimdMem.v128_store, 0, 0);
        for (const ptr of [...pp, po0, po1]) f.localGet(ptr).i32Const(L * es).op(Op.i32_add).localSet(ptr);
      });
      tail();
      rowAt(() => void f.localGet(y).i32Const(1).op(Op.i32_add));
      tail();
      f.localGet(y).i32Const(2).op(Op.i32_add).localSet(y);
      f.br(0).end().end();
      // An odd last row alone.
      f.localGet(y).localGet(OH).op(Op.i32_lt_s).if_();
      rowAt(() => void f.localGet(y));
      f.forRange(xx, () => void f.i32Const(0), () => void f.localGet(vend), L, () => point(true));
      tail();
      f.end();
    });
  });
}

/**
 * `conv_pos_<kind>_<OH>x<OW>(x, w, out, i0, i1, O, C, kh, kw, xsN, xsC, xsH, wsO, wsC, wsH, mask)`:
 * kw ≥ lanes; `mask` points at a v128 whose lanes are all ones where the
 * last, overlapping column vector holds columns not yet summed (lane j ≥ lanes − kw mod lanes).
 */
export function emitConvPositions(m: ModuleBuilder, kind: Kind, oh: number, ow: number): void {
  const k = KINDS[kind], a = ARITH[kind], L = k.lanes, es = k.es, P = oh * ow;
  const f = m.func(positionsName(kind, oh, ow), Array.from({ length: 16 }, () => I32), []);
  const [x, w, out, i0, i1, O, C, kh, kw, xsN, xsC, xsH, wsO, wsC, wsH, mask] = Array.from({ length: 16 }, (_, i) => i);
  const [i, n, o, c, ky, kx, xPlane, wPlane, wRow, kvEnd, at] = Array.from({ length: 11 }, () => f.local(I32));
  const rp = Array.from({ length: oh }, () => f.local(I32));
  const acc = Array.from({ length: P }, () => f.local(V128));
  const wv = f.local(V128), mv = f.local(V128);
  // Pointers the whole-vector loop bumps (an address add per load cost about a quarter of its instructions).
  const xr = Array.from({ length: oh }, () => f.local(I32)), wr = f.local(I32);
  f.localGet(mask).simdMem(SimdMem.v128_load, 0, 0).localSet(mv);
  // Whole vectors start at kx < kw − L + 1.
  f.localGet(kw).i32Const(L - 1).op(Op.i32_sub).localSet(kvEnd);
  /** acc[p] += w[.., kx..kx+L) · x at position p, masked: the overlapping last vector. */
  const lastColumns = () => {
    f.localGet(kx).i32Const(es).op(Op.i32_mul).localSet(at);
    f.localGet(wRow).localGet(at).op(Op.i32_add).simdMem(SimdMem.v128_load, 0, 0).localSet(wv);
    for (let py = 0; py < oh; py++) {
      for (let px = 0; px < ow; px++) {
        f.localGet(acc[py * ow + px]!).localGet(rp[py]!).localGet(at).op(Op.i32_add).simdMem(SimdMem.v128_load, px * es, 0).localGet(wv).simd(a.vmul);
        f.localGet(mv).simd(Simd.v128_and);
        f.simd(a.vadd).localSet(acc[py * ow + px]!);
      }
    }
  };
  f.forRange(i, () => void f.localGet(i0), () => void f.localGet(i1), 1, () => {
    f.localGet(i).localGet(O).op(Op.i32_div_u).localSet(n);
    f.localGet(i).localGet(n).localGet(O).op(Op.i32_mul).op(Op.i32_sub).localSet(o);
    for (const v of acc) f.v128Const(new Uint8Array(16)).localSet(v);
    f.forRange(c, () => void f.i32Const(0), () => void f.localGet(C), 1, () => {
      f.localGet(x).localGet(n).localGet(xsN).op(Op.i32_mul).op(Op.i32_add).localGet(c).localGet(xsC).op(Op.i32_mul).op(Op.i32_add).localSet(xPlane);
      f.localGet(w).localGet(o).localGet(wsO).op(Op.i32_mul).op(Op.i32_add).localGet(c).localGet(wsC).op(Op.i32_mul).op(Op.i32_add).localSet(wPlane);
      f.forRange(ky, () => void f.i32Const(0), () => void f.localGet(kh), 1, () => {
        f.localGet(wPlane).localGet(ky).localGet(wsH).op(Op.i32_mul).op(Op.i32_add).localSet(wRow);
        f.localGet(xPlane).localGet(ky).localGet(xsH).op(Op.i32_mul).op(Op.i32_add).localSet(rp[0]!);
        for (let py = 1; py < oh; py++) f.localGet(rp[py - 1]!).localGet(xsH).op(Op.i32_add).localSet(rp[py]!);
        for (let py = 0; py < oh; py++) f.localGet(rp[py]!).localSet(xr[py]!);
        f.localGet(wRow).localSet(wr);
        f.forRange(kx, () => void f.i32Const(0), () => void f.localGet(kvEnd), L, () => {
          f.localGet(wr).simdMem(SimdMem.v128_load, 0, 0).localSet(wv);
          for (let py = 0; py < oh; py++) {
            for (let px = 0; px < ow; px++) {
              f.localGet(acc[py * ow + px]!).localGet(xr[py]!).simdMem(SimdMem.v128_load, px * es, 0).localGet(wv).simd(a.vmul).simd(a.vadd).localSet(acc[py * ow + px]!);
            }
          }
          for (const ptr of [...xr, wr]) f.localGet(ptr).i32Const(L * es).op(Op.i32_add).localSet(ptr);
        });
        // kw mod L columns left: one more vector ending at kw, its first lanes masked off.
        f.localGet(kw).i32Const(L - 1).op(Op.i32_and).if_();
        f.localGet(kw).i32Const(L).op(Op.i32_sub).localSet(kx);
        lastColumns();
        f.end();
      });
    });
    for (let p = 0; p < P; p++) {
      f.localGet(out).localGet(i).i32Const(P).op(Op.i32_mul).i32Const(p).op(Op.i32_add).i32Const(es).op(Op.i32_mul).op(Op.i32_add);
      f.localGet(acc[p]!).simdLane(a.lane, 0);
      for (let l = 1; l < L; l++) f.localGet(acc[p]!).simdLane(a.lane, l).op(a.add);
      f.mem(k.store, 0, k.align);
    }
  });
}
