/**
 * The wasm backend's call arena (backend/wasm/arena.ts): inside a compiled
 * call, results live in Wasm memory and kernels read and write them in
 * place. Checked bit for bit against eager evaluation on a whole CNN training
 * step (matmul, conv and Winograd, pooling and its gradients, fused groups,
 * reductions, transposes), with the arena large, tiny (so resident and
 * GC-owned operands mix) and absent; results and caller-held tensors must
 * survive later calls, and nothing resident may escape a call.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import type { ConcreteTensor, Tensor } from "../src/core/tensor.js";
import { ewConfig } from "../src/backend/wasm/ew.js";
import { fusedConfig } from "../src/backend/wasm/fused.js";
import { convConfig } from "../src/backend/wasm/conv.js";
import { winogradConfig } from "../src/backend/wasm/winograd.js";
import { gemmConfig } from "../src/backend/wasm/gemm.js";
import { arenaConfig, getRuntime } from "../src/backend/wasm/runtime.js";
import { wasmFeatures } from "../src/backend/wasm/features.js";
import { rng as seeded } from "./support/numeric.js";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

const rng = seeded(77);
const shared = wasmFeatures().threads;
let previous = "";

beforeAll(() => {
  previous = fx.getBackend().name;
  fx.setBackend("wasm");
  // Every kernel in Wasm, whatever the size, and split across threads.
  ewConfig.minElements = 0;
  fusedConfig.minElements = 0;
  gemmConfig.parallelMinFlops = 0;
});
afterAll(() => {
  ewConfig.minElements = ewConfig.defaultMinElements;
  fusedConfig.minElements = 256;
  gemmConfig.parallelMinFlops = gemmConfig.defaultParallelMinFlops;
  fx.setBackend(previous);
});
const chunking = { patchBudget: convConfig.patchBudget, budget: winogradConfig.budget, reduceChunkBytes: ewConfig.reduceChunkBytes, windowChunkBytes: ewConfig.windowChunkBytes, gemmStageBytes: gemmConfig.maxStageBytes };
afterEach(() => {
  arenaConfig.maxBytes = arenaConfig.defaultMaxBytes;
  convConfig.patchBudget = chunking.patchBudget;
  winogradConfig.budget = chunking.budget;
  ewConfig.reduceChunkBytes = chunking.reduceChunkBytes;
  ewConfig.windowChunkBytes = chunking.windowChunkBytes;
  gemmConfig.maxStageBytes = chunking.gemmStageBytes;
});

function randn(shape: number[], dtype: fx.DType): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return fx.tensor(Array.from({ length: n }, () => (rng() - 0.5) * 2), { shape, dtype });
}

function bits(t: Tensor): Buffer {
  const d = t.data();
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
}

const storageIsShared = (t: Tensor) => (t as ConcreteTensor).buffer.view().buffer instanceof SharedArrayBuffer;

/** A small CNN's loss and gradients: conv (Winograd and im2col), relu, max pool, dense layers, softmax cross-entropy. */
function makeStep(dtype: fx.DType) {
  const params = {
    c1: randn([8, 3, 3, 3], dtype), b1: randn([8, 1, 1], dtype),
    c2: randn([9, 8, 3, 3], dtype),
    w: randn([9 * 3 * 3, 10], dtype), v: randn([10, 7], dtype),
  };
  type P = typeof params;
  const loss = (p: P, x: Tensor, y: Tensor) => {
    let h = fx.relu(fx.conv2d(x, p.c1, { padding: 1 }).add(p.b1)); // [N, 8, 13, 13]
    h = fx.maxPool2d(h, 2); // [N, 8, 6, 6]
    h = fx.relu(fx.conv2d(h, p.c2, { padding: 1, stride: 1 })); // [N, 9, 6, 6]
    const rows = h.reshape([x.shape[0]!, 9, 36]);
    const gram = fx.matmul(rows, rows.transpose([0, 2, 1])).sum().mul(1e-4); // a batched product, [N, 9, 9]
    h = fx.maxPool2d(h, 2).reshape([x.shape[0]!, 81]);
    const z = fx.tanh(fx.matmul(h, p.w)); // [N, 10]
    const logits = fx.matmul(z, p.v).add(fx.matmul(z.T, z).sum().mul(1e-3)).add(gram); // a transposed operand too
    return fx.losses.softmaxCrossEntropy(logits, y).mean();
  };
  const step = (p: P, x: Tensor, y: Tensor) => {
    const [l, g] = fx.valueAndGrad(loss)(p, x, y);
    const next = fx.tree.map((a: Tensor, b: Tensor) => a.sub(b.mul(0.05)), p, g) as P;
    return [l, next, g.w.T, fx.argmax(fx.matmul(x.reshape([x.shape[0]!, -1]).sum(1, true), fx.ones([1, 5], dtype)), 1)] as const;
  };
  return { params, step };
}

function batch(dtype: fx.DType, n = 6) {
  const x = randn([n, 3, 13, 13], dtype);
  const y = fx.data.oneHot(fx.tensor(Array.from({ length: n }, (_, i) => (i * 3) % 7), { dtype: "int32" }), 7, dtype);
  return { x, y };
}

describe.skipIf(!wasmFeatures().simd)("wasm call arena", () => {
  for (const dtype of ["float32", "float64"] as const) {
    for (const [label, maxBytes, chunked] of [
      ["large", arenaConfig.defaultMaxBytes, false], ["large, kernels in small chunks", arenaConfig.defaultMaxBytes, true],
      ["tiny (mixed operands)", 48 * 1024, false], ["none", 0, false],
    ] as const) {
      it(`${dtype}, arena ${label}: a jitted training step equals eager bit for bit, over several calls`, () => {
        arenaConfig.maxBytes = maxBytes;
        // Chunks of a few examples / planes / rows: operands and results read and written at offsets into their blocks.
        if (chunked) {
          convConfig.patchBudget = winogradConfig.budget = 4096;
          ewConfig.reduceChunkBytes = ewConfig.windowChunkBytes = 1024;
          gemmConfig.maxStageBytes = 8 * 1024; // a few batch items of the [N, 9, 36] product at a time
        }
        const { params, step } = makeStep(dtype);
        const jitted = fx.jit(step);
        let pj = params, pe = params;
        const kept: { t: Tensor; want: Buffer }[] = [];
        for (let i = 0; i < 3; i++) {
          const { x, y } = batch(dtype);
          const got = fx.tree.leaves(jitted(pj, x, y)) as Tensor[];
          const want = fx.tree.leaves(step(pe, x, y)) as Tensor[];
          expect(got.length).toBe(want.length);
          got.forEach((t, k) => {
            expect(bits(t), `call ${i}, output ${k}`).toEqual(bits(want[k]!));
            expect(storageIsShared(t), `call ${i}, output ${k} escaped the arena`).toBe(false);
            kept.push({ t, want: bits(want[k]!) });
          });
          pj = jitted(pj, x, y)[1];
          pe = step(pe, x, y)[1];
        }
        // Results of earlier calls are untouched by later ones.
        for (const { t, want } of kept) expect(bits(t)).toEqual(want);
      });
    }
  }

  it.skipIf(!shared)("places a call's results in the arena and releases it when the call returns, also when it throws", () => {
    const rt = getRuntime();
    const { params, step } = makeStep("float32");
    const jitted = fx.jit(step);
    const { x, y } = batch("float32");
    const base = rt.operandBase();
    const reserve = rt.reserveResident.bind(rt);
    let reserved = 0;
    rt.reserveResident = (bytes: number) => {
      const at = reserve(bytes);
      if (at !== null) reserved++;
      return at;
    };
    try {
      jitted(params, x, y);
      expect(reserved).toBeGreaterThan(10);
      expect(rt.operandBase()).toBe(base);
      // A kernel that fails halfway through a call (the second matmul).
      const backend = fx.getBackend() as { run: (...args: unknown[]) => unknown };
      const run = backend.run;
      let dots = 0;
      backend.run = (...args: unknown[]) => {
        if (args[0] === "dot" && ++dots === 2) throw new Error("kernel failed");
        return run.apply(backend, args);
      };
      try {
        expect(() => fx.jit((a: Tensor) => fx.matmul(fx.matmul(a, a).add(1), a))(fx.ones([40, 40]))).toThrow("kernel failed");
      } finally {
        backend.run = run;
      }
      expect(rt.operandBase()).toBe(base);
      const after = fx.jit((a: Tensor) => fx.matmul(a, a).mul(2))(fx.ones([40, 40]));
      expect(after.data()[0]).toBe(80);
    } finally {
      rt.reserveResident = reserve;
    }
  });

  it("a caller's deferred transpose read inside a call keeps no arena storage", () => {
    const a = randn([37, 53], "float32");
    const aT = a.T; // a deferred view on the wasm backend
    const f = fx.jit((t: Tensor, s: Tensor) => t.mul(s).add(1));
    const first = f(aT, fx.tensor(2)).data().slice();
    for (let i = 0; i < 3; i++) f(randn([53, 37], "float32"), fx.tensor(3));
    expect(storageIsShared(aT)).toBe(false);
    expect(Buffer.from(aT.data().buffer)).toEqual(Buffer.from(fx.transpose(a).data().buffer));
    expect(Buffer.from(f(aT, fx.tensor(2)).data().buffer)).toEqual(Buffer.from(first.buffer));
  });

  it("transposes with long rows (in whole vectors or not) read from the arena equal eager", () => {
    for (const [shape, perm] of [[[3, 5, 16, 20], [1, 0, 2, 3]], [[4, 3, 17, 19], [1, 0, 2, 3]], [[2, 3, 4, 300], [2, 0, 1, 3]]] as const) {
      for (const dtype of ["float32", "float64"] as const) {
        const x = randn([...shape], dtype);
        const f = (t: Tensor) => t.mul(2).transpose([...perm]); // the product lives in the arena
        expect(bits(fx.jit(f)(x)), `${dtype} [${shape}] by [${perm}]`).toEqual(bits(f(x)));
      }
    }
  });

  it("scan inside a call (its body runs many times in one arena) equals eager", () => {
    const w = randn([24, 24], "float32");
    const f = (h0: Tensor, xs: Tensor) => fx.scan((h: Tensor, x: Tensor) => {
      const n = fx.tanh(fx.matmul(h, w).add(x));
      return [n, n.sum()];
    }, h0, xs);
    const h0 = randn([16, 24], "float32"), xs = randn([30, 16, 24], "float32");
    arenaConfig.maxBytes = 64 * 1024; // fills up partway through the loop
    const got = fx.tree.leaves(fx.jit(f)(h0, xs)) as Tensor[];
    const want = fx.tree.leaves(f(h0, xs)) as Tensor[];
    got.forEach((t, k) => expect(bits(t), `output ${k}`).toEqual(bits(want[k]!)));
  });

  describe.skipIf(!shared)("donated state in kept blocks", () => {
    /** An MLP trained with Adam; Linear keeps W as [out, in], so the forward pass reads W through a transpose. */
    function adamStep(donate: boolean) {
      const model = new fx.nn.MLP({ inSize: 37, outSize: 16, widths: [48], key: fx.random.key(3) });
      const opt = fx.optim.adam(1e-2);
      type M = typeof model;
      const loss = (p: M, x: Tensor, y: Tensor) => fx.losses.softmaxCrossEntropyWithIntegerLabels(p.forward(x), y);
      const step = fx.jit((p: M, s: unknown, x: Tensor, y: Tensor) => {
        const [l, g] = fx.valueAndGrad(loss)(p, x, y);
        const [u, s2] = opt.update(g, s as ReturnType<typeof opt.init>, p);
        return [fx.optim.applyUpdates(p, u), s2, l] as const;
      }, donate ? { donateArgnums: [0, 1] } : {});
      return { model, state: opt.init(model) as unknown, step };
    }
    const data = Array.from({ length: 6 }, (_, i) => ({
      x: randn([16, 37], "float32"),
      y: fx.tensor(Array.from({ length: 16 }, (_, k) => (k * 3 + i) % 16), { dtype: "int32" }),
    }));

    it("equals the step without donation bit for bit, writes the new state over the old in place, and keeps Wasm memory flat", () => {
      const rt = getRuntime();
      const plain = adamStep(false), donating = adamStep(true);
      let [p1, s1] = [plain.model, plain.state];
      let [p2, s2] = [donating.model, donating.state];
      let kept = -1;
      for (const [i, { x, y }] of data.entries()) {
        const old = p2;
        [p1, s1] = plain.step(p1, s1, x, y) as unknown as [typeof p1, unknown];
        [p2, s2] = donating.step(p2, s2, x, y) as unknown as [typeof p2, unknown];
        const a = fx.tree.leaves([p1, s1]) as Tensor[], b = fx.tree.leaves([p2, s2]) as Tensor[];
        a.forEach((t, k) => expect(bits(b[k]!), `step ${i}, leaf ${k}`).toEqual(bits(t)));
        // Every weight matrix (both above the size kept in Wasm memory), transposed in the forward pass, got its new value written over the old in Wasm memory.
        for (const w of [p2.layers[0]!.weight, p2.layers[1]!.weight]) {
          expect(storageIsShared(w), `step ${i}`).toBe(true);
          expect(rt.inCallArena((w as ConcreteTensor).buffer.view())).toBe(false);
        }
        expect(() => old.layers[0]!.weight.data()).toThrow(fx.DisposedError);
        if (i === 1) kept = rt.keptInUse();
        if (i > 1) expect(rt.keptInUse(), `kept bytes after step ${i}`).toBe(kept);
      }
      // Kept tensors work eagerly like any other (kernels read them in place).
      const x = data[0]!.x;
      expect(bits(p2.forward(x))).toEqual(bits(p1.forward(x)));
    });

    it("frees a kept block once its tensor is garbage-collected", async () => {
      setFlagsFromString("--expose-gc");
      const gc = runInNewContext("gc") as () => void;
      const rt = getRuntime();
      const before = rt.keptInUse();
      const donating = adamStep(true);
      let state: unknown = donating.state;
      let model: unknown = donating.model;
      for (const { x, y } of data.slice(0, 2)) [model, state] = donating.step(model as never, state, x, y) as unknown as [unknown, unknown];
      expect(rt.keptInUse()).toBeGreaterThan(before);
      model = state = null;
      (donating as { model: unknown; state: unknown }).model = null;
      (donating as { model: unknown; state: unknown }).state = null;
      for (let i = 0; i < 10 && rt.keptInUse() > before; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(rt.keptInUse()).toBe(before);
    });
  });
});
