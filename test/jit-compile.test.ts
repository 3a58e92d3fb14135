import { describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { planSteps } from "../src/transforms/compile/fusion.js";
import { pooledByteCount } from "../src/core/storage-pool.js";
import { referenceBackend } from "../src/backend/reference/index.js";
import { registerBackend } from "../src/backend/registry.js";
import type { Backend } from "../src/backend/spec.js";

/** Same bytes: jit must reproduce eager results exactly, not just closely. */
function sameBits(a: fx.Tensor, b: fx.Tensor) {
  expect(a.shape).toEqual(b.shape);
  expect(a.dtype).toBe(b.dtype);
  expect(Buffer.from(a.data().buffer)).toEqual(Buffer.from(b.data().buffer));
}

const rand = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed) * 3);

describe("jit compilation with fusion", () => {
  it("fuses an elementwise chain into one loop and matches eager bit for bit (float32)", () => {
    const f = (x: fx.Tensor, y: fx.Tensor) => fx.tanh(x.mul(y).add(1)).sub(fx.exp(x.neg()).mul(0.5)).maximum(y.sigmoid());
    const x = fx.tensor(rand(257, 1)), y = fx.tensor(rand(257, 2));
    const j = fx.jit(f);
    sameBits(j(x, y), f(x, y));
    const steps = planSteps(j.trace(x, y));
    expect(steps.filter((s) => s.kind === "fused").length).toBe(1);
  });

  it("handles scalars broadcast into the loop, int32 wrap-around, bool and casts", () => {
    const f = (a: fx.Tensor, b: fx.Tensor) => {
      const big = a.mul(1 << 20).mul(1 << 12); // int32 overflow wraps as in the kernels
      const m = a.greater(b).logicalAnd(b.less(7));
      return [big, m, fx.where(m, a.astype("float32").div(3), b.astype("float32")), a.mod(3)];
    };
    const a = fx.tensor(Int32Array.from({ length: 33 }, (_, i) => i * 37 - 500));
    const b = fx.tensor(5, { dtype: "int32" });
    const j = fx.jit(f);
    const [e1, e2, e3, e4] = f(a, b) as fx.Tensor[];
    const [j1, j2, j3, j4] = j(a, b) as fx.Tensor[];
    sameBits(j1!, e1!);
    sameBits(j2!, e2!);
    sameBits(j3!, e3!);
    sameBits(j4!, e4!);
  });

  it("gradients under jit equal eager gradients exactly, with kernels between fused groups", () => {
    const w = fx.tensor(rand(12, 3), { shape: [3, 4] });
    const x = fx.tensor(rand(20, 4), { shape: [5, 4] });
    const loss = (w: fx.Tensor, x: fx.Tensor) => fx.logsumexp(fx.matmul(x, w.T).relu(), 1).mean();
    const g = fx.grad(loss);
    sameBits(fx.jit(g)(w, x), g(w, x));
  });

  it("float64 and size-0 inputs", () => {
    const f = (x: fx.Tensor) => x.mul(x).add(fx.sin(x));
    const x = fx.tensor(Float64Array.from(rand(9, 5)));
    sameBits(fx.jit(f)(x), f(x));
    const empty = fx.zeros([0, 3]);
    expect(fx.jit(f)(empty).shape).toEqual([0, 3]);
  });

  it("debugNans takes the checked path even for compiled functions", () => {
    const f = fx.jit((x: fx.Tensor) => x.log());
    f(fx.tensor([1, 2]));
    fx.config.debugNans = true;
    try {
      expect(() => f(fx.tensor([-1, 2]))).toThrow(fx.NanError);
    } finally {
      fx.config.debugNans = false;
    }
  });
});

describe("jit passes", () => {
  it("folds constants while tracing: work that depends on no input is not in the program", () => {
    const table = fx.tensor([1, 2, 3]);
    const f = (x: fx.Tensor) => x.mul(table.exp().sum());
    const prog = fx.jit(f).trace(fx.tensor([1, 1, 1]));
    expect(prog.eqns.map((e) => e.prim.name)).toEqual(["mul"]);
    sameBits(fx.jit(f)(fx.tensor([1, 2, 3])), f(fx.tensor([1, 2, 3])));
  });

  it("reuses intermediate buffers without touching inputs or outputs", () => {
    const x = fx.tensor(rand(64, 9));
    const keep = x.data();
    // Two fused groups separated by a reduction: the second may overwrite the first's intermediate.
    const f = (x: fx.Tensor) => {
      const a = x.mul(2).add(1);
      const s = a.sum();
      return a.mul(s).sub(x);
    };
    const j = fx.jit(f);
    const out1 = j(x);
    const out2 = j(x);
    sameBits(out1, f(x));
    sameBits(out2, out1);
    expect(Buffer.from(x.data().buffer)).toEqual(Buffer.from(keep.buffer));
  });

  it("never overwrites storage that a reshape or transpose shares", () => {
    const x = fx.tensor(rand(48, 10), { shape: [6, 8] });
    const keep = x.data();
    const f = (x: fx.Tensor) => {
      const a = x.mul(2).add(1); // fused, owned by the program
      const b = a.reshape([8, 6]); // shares a's storage
      const t = a.T; // a deferred transpose on the wasm backend, also sharing
      const s = a.sum(); // a kernel between the groups
      const c = a.mul(s).sub(3); // a's last direct use: without the alias rule, c would be written over a
      const r = x.reshape([48]).mul(0.5); // shares the input's storage
      return [c.add(b.reshape([6, 8])), fx.matmul(t, c), r];
    };
    const j = fx.jit(f);
    const eager = f(x);
    for (let i = 0; i < 2; i++) {
      const got = j(x) as fx.Tensor[];
      eager.forEach((e, k) => sameBits(got[k]!, e));
    }
    expect(Buffer.from(x.data().buffer)).toEqual(Buffer.from(keep.buffer));
  });
});

describe("jit buffer donation (donateArgnums)", () => {
  const params0 = () => ({ w: fx.tensor(rand(300, 21), { shape: [20, 15] }), b: fx.tensor(rand(15, 22)) });
  const update = (p: { w: fx.Tensor; b: fx.Tensor }, m: { w: fx.Tensor; b: fx.Tensor }, g: fx.Tensor) => {
    const m2 = { w: m.w.mul(0.9).add(g.mul(0.1)), b: m.b.mul(0.9).add(g.sum(0).mul(0.1)) };
    return [{ w: p.w.sub(m2.w.mul(0.01)), b: p.b.sub(m2.b.mul(0.01)) }, m2] as const;
  };
  const storage = (t: fx.Tensor) => (t as unknown as { buffer: { view(): Float32Array } }).buffer.view();

  it("writes the new state over the donated one, bit for bit what the plain jit gives, and invalidates the old tensors", () => {
    const g = fx.tensor(rand(300, 23), { shape: [20, 15] });
    const plain = fx.jit(update);
    const donating = fx.jit(update, { donateArgnums: [0, 1] });
    let [pa, ma] = [params0(), { w: fx.zeros([20, 15]), b: fx.zeros([15]) }];
    let [pb, mb] = [params0(), { w: fx.zeros([20, 15]), b: fx.zeros([15]) }];
    for (let i = 0; i < 3; i++) {
      [pa, ma] = plain(pa, ma, g) as unknown as [typeof pa, typeof ma];
      const before = [storage(pb.w), storage(mb.w)];
      const old = pb;
      [pb, mb] = donating(pb, mb, g) as unknown as [typeof pb, typeof mb];
      // The results live in the storage the donated inputs had.
      expect([before[0], before[1]]).toContain(storage(pb.w));
      expect(() => old.w.data()).toThrow(/donated/);
    }
    sameBits(pb.w, pa.w);
    sameBits(pb.b, pa.b);
    sameBits(mb.w, ma.w);
  });

  it("does not donate storage that another argument shares, and keeps inputs returned unchanged", () => {
    const f = fx.jit((a: fx.Tensor, b: fx.Tensor) => [a.mul(2).add(b), b], { donateArgnums: [0, 1] });
    const x = fx.tensor(rand(64, 24));
    const keep = x.data();
    const [y] = f(x, x) as fx.Tensor[];
    expect(Buffer.from(x.data().buffer)).toEqual(Buffer.from(keep.buffer)); // still usable, unchanged
    sameBits(y!, fx.tensor(keep).mul(2).add(fx.tensor(keep)));
    const z = fx.tensor(rand(64, 25));
    const [, same] = f(fx.tensor(rand(64, 26)), z) as fx.Tensor[];
    expect(same).toBe(z);
    expect(() => z.data()).not.toThrow();
  });

  it("rejects an argument that is both static and donated", () => {
    expect(() => fx.jit((a: fx.Tensor) => a, { staticArgnums: [0], donateArgnums: [0] })).toThrow(fx.ValueError);
  });
});

describe("jit storage pool", () => {
  it("pools the storage of intermediates, and results of one call survive the next calls", () => {
    const w = fx.tensor(rand(40 * 24, 31), { shape: [40, 24] });
    const table = fx.tensor(rand(40 * 24, 32), { shape: [40, 24] });
    const f = (x: fx.Tensor, flag: fx.Tensor) => {
      const a = x.mul(2).add(1); // fused intermediate [64, 40]
      const b = fx.matmul(a, w); // kernel intermediate [64, 24]
      const c = fx.cond(flag, (t: fx.Tensor) => t, (t: fx.Tensor) => t.mul(0), table); // a captured constant through cond
      const h = fx.matmul(x.sub(1), w); // an intermediate nothing keeps: its storage goes to the pool
      return [b.T, a.reshape([40, 64]), b.sum(0), c.add(b.sum()).add(h.sum())];
    };
    const j = fx.jit(f);
    const keepTable = table.data();
    const x1 = fx.tensor(rand(64 * 40, 33), { shape: [64, 40] });
    const first = j(x1, fx.tensor(true)) as fx.Tensor[];
    const saved = first.map((t) => t.data());
    // With a call arena (wasm) intermediates live there and die with the call; without one they go to the pool.
    if (!fx.getBackend().callArena) expect(pooledByteCount()).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) j(fx.tensor(rand(64 * 40, 40 + i), { shape: [64, 40] }), fx.tensor(i % 2 === 0));
    first.forEach((t, k) => expect(Buffer.from(t.data().buffer), `output ${k}`).toEqual(Buffer.from(saved[k]!.buffer)));
    expect(Buffer.from(table.data().buffer)).toEqual(Buffer.from(keepTable.buffer));
    const eager = f(x1, fx.tensor(true));
    (j(x1, fx.tensor(true)) as fx.Tensor[]).forEach((t, k) => sameBits(t, eager[k]!));
  });
});


describe("jit and the current backend", () => {
  it("a jitted function runs on the backend current at each call (compiled again after setBackend)", () => {
    let calls = 0;
    const counting: Backend = { ...referenceBackend, name: "counting-reference", run: (...args) => (calls++, referenceBackend.run(...args)) };
    registerBackend(counting);
    const before = fx.getBackend().name;
    try {
      const f = fx.jit((x: fx.Tensor) => x.mul(2).sum());
      const x = fx.tensor([1, 2, 3]);
      fx.setBackend("reference");
      expect(f(x).item()).toBe(12);
      expect(calls).toBe(0);
      fx.setBackend("counting-reference");
      expect(f(x).item()).toBe(12);
      expect(calls).toBeGreaterThan(0); // reduce_sum ran on the new backend
      const after = calls;
      fx.setBackend("reference");
      expect(f(x).item()).toBe(12);
      expect(calls).toBe(after);
      expect(f.cacheSize).toBe(1); // one trace serves every backend
    } finally {
      fx.setBackend(before);
    }
  });
});
