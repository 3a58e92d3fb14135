import { describe, expect, it } from "vitest";
import { F32, F64, I32, MemOp, ModuleBuilder, Op, Simd, SimdLane, SimdMem, V128, sleb, uleb } from "../src/backend/wasm/emitter.js";
import { wasmFeatures } from "../src/backend/wasm/features.js";

function instantiate(m: ModuleBuilder, mem?: WebAssembly.Memory): Record<string, (...a: number[]) => number> {
  const bytes = m.bytes();
  expect(WebAssembly.validate(bytes)).toBe(true);
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), mem ? { env: { mem } } : {}).exports as never;
}

describe("LEB128", () => {
  const enc = (f: (o: number[], v: number) => void, v: number) => {
    const o: number[] = [];
    f(o, v);
    return o;
  };
  it("encodes unsigned values", () => {
    expect(enc(uleb, 0)).toEqual([0]);
    expect(enc(uleb, 127)).toEqual([0x7f]);
    expect(enc(uleb, 128)).toEqual([0x80, 0x01]);
    expect(enc(uleb, 624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(enc(uleb, 2 ** 32 - 1)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(() => enc(uleb, -1)).toThrow(RangeError);
  });
  it("encodes signed values", () => {
    expect(enc(sleb, 0)).toEqual([0]);
    expect(enc(sleb, 63)).toEqual([0x3f]);
    expect(enc(sleb, 64)).toEqual([0xc0, 0x00]);
    expect(enc(sleb, -1)).toEqual([0x7f]);
    expect(enc(sleb, -64)).toEqual([0x40]);
    expect(enc(sleb, -65)).toEqual([0xbf, 0x7f]);
    expect(enc(sleb, -123456)).toEqual([0xc0, 0xbb, 0x78]);
  });
  it("round-trips i32 constants through a compiled function", () => {
    for (const v of [0, 1, -1, 63, 64, -64, -65, 8191, 8192, -8193, 2 ** 31 - 1, -(2 ** 31), 123456789]) {
      const m = new ModuleBuilder();
      m.func("k", [], [I32]).i32Const(v);
      expect(instantiate(m).k!()).toBe(v);
    }
  });
});

describe("ModuleBuilder", () => {
  it("compiles scalar arithmetic, locals, loops and calls", () => {
    const m = new ModuleBuilder();
    const add = m.func("add", [I32, I32], [I32]);
    add.localGet(0).localGet(1).op(Op.i32_add);
    // sum(n) = Σ_{i<n} add(i, 1)
    const sum = m.func("sum", [I32], [I32]);
    const i = sum.local(I32), acc = sum.local(I32);
    sum.i32Const(0).localSet(acc);
    sum.forRange(i, () => void sum.i32Const(0), () => void sum.localGet(0), 1, () => {
      sum.localGet(acc).localGet(i).i32Const(1).call(m.indexOf(add)).op(Op.i32_add).localSet(acc);
    });
    sum.localGet(acc);
    const hyp = m.func("hyp", [F64, F64], [F64]);
    hyp.localGet(0).localGet(0).op(Op.f64_mul).localGet(1).localGet(1).op(Op.f64_mul).op(Op.f64_add).op(Op.f64_sqrt);
    const half = m.func("half", [F32], [F32]);
    half.localGet(0).f32Const(0.5).op(Op.f32_mul);
    const ex = instantiate(m);
    expect(ex.add!(2, 40)).toBe(42);
    expect(ex.sum!(10)).toBe(55);
    expect(ex.sum!(0)).toBe(0);
    expect(ex.hyp!(3, 4)).toBe(5);
    expect(ex.half!(3)).toBe(1.5);
  });

  it("selects with if/else results", () => {
    const m = new ModuleBuilder();
    const f = m.func("absdiff", [F64, F64], [F64]);
    f.localGet(0).localGet(1).op(Op.f64_gt).if_(F64);
    f.localGet(0).localGet(1).op(Op.f64_sub).else_().localGet(1).localGet(0).op(Op.f64_sub).end();
    const ex = instantiate(m);
    expect(ex.absdiff!(5, 2)).toBe(3);
    expect(ex.absdiff!(2, 7)).toBe(5);
  });

  it("rejects an ill-typed body in validation", () => {
    const m = new ModuleBuilder();
    m.func("bad", [], [I32]).f64Const(1);
    expect(WebAssembly.validate(m.bytes())).toBe(false);
  });

  it("reads and writes an imported shared memory with scalar and SIMD ops", () => {
    expect(wasmFeatures().simd).toBe(true);
    const mem = new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true } as WebAssembly.MemoryDescriptor);
    const m = new ModuleBuilder();
    m.importMemory("env", "mem", 1, 4, true);
    // axpy4(x, y, a): y[0:4] = a·x[0:4] + y[0:4]  (f32x4)
    const axpy = m.func("axpy4", [I32, I32, F32], []);
    axpy.localGet(1).localGet(0).simdMem(SimdMem.v128_load, 0, 0).localGet(2).simd(Simd.f32x4_splat).simd(Simd.f32x4_mul);
    axpy.localGet(1).simdMem(SimdMem.v128_load, 0, 0).simd(Simd.f32x4_add).simdMem(SimdMem.v128_store, 0, 0);
    // dot2(x, y) over f64x2 with a lane sum
    const dot = m.func("dot2", [I32, I32], [F64]);
    const v = dot.local(V128);
    dot.localGet(0).simdMem(SimdMem.v128_load, 0, 0).localGet(1).simdMem(SimdMem.v128_load, 0, 0).simd(Simd.f64x2_mul).localSet(v);
    dot.localGet(v).simdLane(SimdLane.f64x2_extract_lane, 0).localGet(v).simdLane(SimdLane.f64x2_extract_lane, 1).op(Op.f64_add);
    // lanes: replace lane 2 of splat(1) with 9, then max with a constant vector, extract lane 2 and 3
    const lanes = m.func("lane", [I32], [F32]);
    lanes.f32Const(1).simd(Simd.f32x4_splat).f32Const(9).simdLane(SimdLane.f32x4_replace_lane, 2);
    const c = new Float32Array([0, 5, 3, 7]);
    lanes.v128Const(new Uint8Array(c.buffer)).simd(Simd.f32x4_max);
    const t = lanes.local(V128);
    lanes.localSet(t).localGet(0).if_(F32).localGet(t).simdLane(SimdLane.f32x4_extract_lane, 2).else_().localGet(t).simdLane(SimdLane.f32x4_extract_lane, 3).end();
    // scalar store/load with offset
    const st = m.func("store", [I32, F64], []);
    st.localGet(0).localGet(1).mem(MemOp.f64_store, 8, 3);
    const ld = m.func("load", [I32], [F64]);
    ld.localGet(0).mem(MemOp.f64_load, 8, 3);
    const ex = instantiate(m, mem);

    const f32 = new Float32Array(mem.buffer);
    f32.set([1, 2, 3, 4], 0);
    f32.set([10, 20, 30, 40], 4);
    ex.axpy4!(0, 16, 2);
    expect([...f32.subarray(4, 8)]).toEqual([12, 24, 36, 48]);

    const f64 = new Float64Array(mem.buffer);
    f64.set([1.5, -2, 4, 0.25], 8);
    expect(ex.dot2!(64, 80)).toBe(1.5 * 4 + -2 * 0.25);
    expect(ex.lane!(1)).toBe(9);
    expect(ex.lane!(0)).toBe(7);
    ex.store!(128, Math.PI);
    expect(f64[17]).toBe(Math.PI);
    expect(ex.load!(128)).toBe(Math.PI);
  });

  it("emits relaxed fused multiply-add when the engine has it", () => {
    const { relaxed } = wasmFeatures();
    const m = new ModuleBuilder();
    const f = m.func("madd", [F32, F32, F32], [F32]);
    f.localGet(0).simd(Simd.f32x4_splat).localGet(1).simd(Simd.f32x4_splat).localGet(2).simd(Simd.f32x4_splat);
    f.simd(Simd.f32x4_relaxed_madd).simdLane(SimdLane.f32x4_extract_lane, 1);
    expect(WebAssembly.validate(m.bytes())).toBe(relaxed);
    if (relaxed) expect(instantiate(m).madd!(3, 5, 4)).toBe(19);
  });
});
