import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { gemmConfig } from "../src/backend/wasm/gemm.js";
import { getRuntime } from "../src/backend/wasm/runtime.js";
import { MatrixView } from "../src/backend/wasm/lazy.js";

const wasmMemoryBytes = () => getRuntime().memory.buffer.byteLength;

const initial = fx.getBackend().name;
afterEach(() => {
  fx.setBackend(initial);
  gemmConfig.parallelMinFlops = gemmConfig.defaultParallelMinFlops;
});

function random(shape: number[], seed: number, dtype: "float32" | "float64" = "float32"): fx.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s / 2 ** 31 - 1;
  }
  return fx.tensor(data, { shape, dtype });
}

/** Runs `f` on the reference backend and on wasm; returns both results as flat arrays. */
function both(f: () => fx.Tensor | fx.Tensor[]): [number[][], number[][]] {
  const run = (name: string) => {
    fx.setBackend(name);
    const r = f();
    return (Array.isArray(r) ? r : [r]).map((t) => Array.from(t.data() as ArrayLike<number>));
  };
  return [run("reference"), run("wasm")];
}

function expectClose(got: number[][], want: number[][], tol: number): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    expect(g.length).toBe(want[i]!.length);
    g.forEach((v, j) => expect(Math.abs(v - want[i]![j]!), `output ${i} element ${j}`).toBeLessThanOrEqual(tol));
  });
}

describe("wasm backend", () => {
  it("is registered", () => {
    expect(fx.backendNames()).toContain("wasm");
  });

  it.each([1, 2])("matmul with broadcast batch axes and vectors matches the reference (%i threads)", (threads) => {
    fx.setThreads(threads);
    gemmConfig.parallelMinFlops = 0;
    const cases: [number[], number[]][] = [
      [[5, 7], [7, 3]], [[2, 1, 4, 6], [3, 6, 5]], [[9], [9, 4]], [[4, 9], [9]], [[9], [9]],
      [[3, 1, 1], [3, 1, 1]], [[2, 0, 3], [2, 3, 4]], [[1, 13, 65], [65, 17]],
    ];
    for (const dtype of ["float32", "float64"] as const) {
      cases.forEach(([sa, sb], i) => {
        const [want, got] = both(() => fx.matmul(random(sa, i + 1, dtype), random(sb, i + 50, dtype)));
        expectClose(got, want, dtype === "float32" ? 1e-5 : 1e-12);
      });
    }
  });

  it("gradients of matmul (A·Bᵀ and Aᵀ·B through deferred transposes) match the reference", () => {
    gemmConfig.parallelMinFlops = 0;
    const f = (a: fx.Tensor, b: fx.Tensor) => fx.matmul(a, b).tanh().sum();
    for (const [sa, sb] of [[[6, 11], [11, 9]], [[3, 5, 4], [3, 4, 7]], [[1, 1], [1, 1]]] as const) {
      const [want, got] = both(() => fx.grad(f, { argnums: [0, 1] })(random([...sa], 3), random([...sb], 4)) as fx.Tensor[]);
      expectClose(got, want, 1e-5);
    }
  });

  it("second-order gradients through matmul match the reference", () => {
    const g = (x: fx.Tensor) => fx.grad((y: fx.Tensor) => fx.matmul(y, fx.transpose(y)).sin().sum())(x).sum();
    const [want, got] = both(() => fx.grad(g)(random([4, 3], 9, "float64")));
    expectClose(got, want, 1e-10);
  });

  it("a deferred transpose materializes for other kernels, twice-transposed is the original", () => {
    const [want, got] = both(() => {
      const x = random([2, 3, 5], 11);
      const t = fx.transpose(x, [0, 2, 1]);
      return [t, t.add(1), fx.transpose(t, [0, 2, 1]), t.sum(1), fx.matmul(t, x)];
    });
    expectClose(got, want, 1e-5);
  });

  it("[B, T, C] @ [C, D] (weight broadcast over the batch) and its gradients match the reference", () => {
    gemmConfig.parallelMinFlops = 0;
    const f = (x: fx.Tensor, w: fx.Tensor) => fx.matmul(x, w).tanh().sum();
    for (const dtype of ["float32", "float64"] as const) {
      const [want, got] = both(() => {
        const x = random([3, 5, 7], 31, dtype), w = random([7, 4], 32, dtype);
        const [gx, gw] = fx.grad(f, { argnums: [0, 1] })(x, w) as fx.Tensor[];
        return [fx.matmul(x, w), fx.matmul(fx.transpose(w.reshape([1, 7, 4]), [0, 2, 1]), x.reshape([3, 7, 5])), gx!, gw!];
      });
      expectClose(got, want, dtype === "float32" ? 1e-5 : 1e-12);
    }
  });

  it("deferred broadcasts and transposes compose and materialize for other kernels", () => {
    const [want, got] = both(() => {
      const w = random([4, 3], 41), v = random([1, 4, 3], 42);
      const b = fx.broadcastTo(w, [2, 4, 3]);
      const bt = fx.transpose(b, [0, 2, 1]);
      const tb = fx.broadcastTo(fx.transpose(w), [2, 3, 4]);
      const b5 = fx.broadcastTo(v, [5, 4, 3]);
      return [b, bt, tb, b.add(1), bt.sum(0), fx.matmul(bt, b), fx.matmul(tb, fx.transpose(tb, [0, 2, 1])), b5, fx.transpose(fx.transpose(b5, [0, 2, 1]), [0, 2, 1])];
    });
    expectClose(got, want, 1e-6);
  });

  it("matrix transposes and batch broadcasts of floats are deferred views", () => {
    fx.setBackend("wasm");
    const w = random([4, 3], 1);
    const b = fx.broadcastTo(w, [2, 4, 3]) as fx.ConcreteTensor;
    expect(b.buffer).toBeInstanceOf(MatrixView);
    expect((b.buffer as MatrixView).shared).toBe(true);
    const t = fx.transpose(b, [0, 2, 1]) as fx.ConcreteTensor;
    expect((t.buffer as MatrixView).transposed).toBe(true);
    expect((t.buffer as MatrixView).source().length).toBe(12);
    const i = fx.broadcastTo(fx.tensor([[1, 2]], { dtype: "int32" }), [3, 1, 2]) as fx.ConcreteTensor;
    expect(i.buffer).not.toBeInstanceOf(MatrixView);
  });

  it("a deferred transpose read by another kernel is materialized exactly (Wasm blocked transpose, 1 and 2 threads)", () => {
    const threadsBefore = fx.getThreads();
    const shapes = [[67, 45], [130, 17], [3, 33, 70], [2, 1, 4096], [1, 64, 64], [5, 41, 13], [4, 9], [301, 131], [3, 101, 119]]; // the last two split over threads
    for (const threads of [1, 2]) {
      fx.setThreads(threads);
      for (const dtype of ["float32", "float64"] as const) {
        shapes.forEach((shape, k) => {
          const perm = shape.map((_, i) => (i < shape.length - 2 ? i : 2 * shape.length - 3 - i));
          const [want, got] = both(() => {
            const t = fx.transpose(random(shape, 40 + k, dtype), perm);
            return t.mul(t.astype(dtype)).add(t); // mul/add read the transpose's view
          });
          expect(got, `${dtype} [${shape}] on ${threads} thread(s)`).toEqual(want);
        });
      }
    }
    fx.setThreads(threadsBefore);
  });

  it("a transposed tensor outlives its disposed source", () => {
    fx.setBackend("wasm");
    const x = random([3, 4], 5) as fx.ConcreteTensor;
    const want = Array.from(x.data() as Float32Array);
    const t = fx.transpose(x) as fx.ConcreteTensor;
    x.dispose();
    expect(() => x.data()).toThrow(fx.DisposedError);
    const back = Array.from(fx.transpose(t).data() as Float32Array);
    expect(back).toEqual(want);
    t.dispose();
    expect(() => t.data()).toThrow(fx.DisposedError);
  });

  it("integer matmul falls back to the exact reference kernel", () => {
    const [want, got] = both(() => fx.matmul(fx.tensor([[1, 2], [3, 4]], { dtype: "int32" }), fx.tensor([[5], [6]], { dtype: "int32" })));
    expect(got).toEqual(want);
    expect(got[0]).toEqual([17, 39]);
  });

  it("jit agrees with eager on the wasm backend", () => {
    fx.setBackend("wasm");
    const step = (w: fx.Tensor, x: fx.Tensor) => fx.matmul(x, w).relu().sum();
    const w = random([8, 5], 1), x = random([16, 8], 2);
    const eager = fx.valueAndGrad(step)(w, x);
    const jitted = fx.jit(fx.valueAndGrad(step))(w, x);
    expect((jitted[0] as fx.Tensor).item()).toBeCloseTo((eager[0] as fx.Tensor).item() as number, 4);
    expect(Array.from((jitted[1] as fx.Tensor).data() as Float32Array)).toEqual(Array.from((eager[1] as fx.Tensor).data() as Float32Array));
  });

  it("a naive 10,000-step training loop keeps memory flat (measured)", () => {
    fx.setBackend("wasm");
    const x = random([64, 32], 21), y = random([64, 8], 22);
    const loss = (w: fx.Tensor) => fx.matmul(x, w).sub(y).square().mean();
    const step = fx.grad(loss);
    let w = random([32, 8], 23);
    const usage = () => {
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    for (let i = 0; i < 200; i++) w = w.sub(step(w).mul(0.01)); // warm up
    const wasmBytes = wasmMemoryBytes();
    const before = usage();
    let peak = before;
    for (let i = 0; i < 10_000; i++) {
      w = w.sub(step(w).mul(0.01));
      if (i % 500 === 0) peak = Math.max(peak, usage());
    }
    const lossValue = loss(w).item() as number;
    expect(Number.isFinite(lossValue)).toBe(true);
    // Each step allocates tens of KB (10,000 steps: hundreds of MB); the live set must stay bounded.
    expect(peak - before).toBeLessThan(64 * 2 ** 20);
    expect(wasmMemoryBytes()).toBe(wasmBytes);
  });

  it("setThreads rejects a bad count", () => {
    expect(() => fx.setThreads(0)).toThrow(fx.ValueError);
    expect(() => fx.setThreads(1.5)).toThrow(fx.ValueError);
  });

  it("FLUXION_BACKEND picks the backend of a whole process at import, and a typo fails loudly", () => {
    const script = fileURLToPath(new URL("./fixtures/backend-from-env.ts", import.meta.url));
    const tsx = fileURLToPath(new URL("../node_modules/tsx/dist/cli.mjs", import.meta.url));
    const run = (name: string) => spawnSync(process.execPath, [tsx, script], { encoding: "utf8", timeout: 60_000, env: { ...process.env, FLUXION_BACKEND: name } });
    const ok = run("wasm");
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain("backend wasm");
    const bad = run("wsam");
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('unknown backend "wsam"');
  });

  it("on an engine without WebAssembly SIMD (FLUXION_WASM_SIMD=0) it runs its JavaScript kernels: eager, jit and threads calls give the reference's results", () => {
    const script = fileURLToPath(new URL("./fixtures/wasm-without-simd.ts", import.meta.url));
    const tsx = fileURLToPath(new URL("../node_modules/tsx/dist/cli.mjs", import.meta.url));
    const r = spawnSync(process.execPath, [tsx, script], { encoding: "utf8", timeout: 120_000, env: { ...process.env, FLUXION_WASM_SIMD: "0", FLUXION_BACKEND: "" } });
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("backend wasm simd false threads ready 1");
    expect(Number(/max gap (\S+)/.exec(r.stdout)?.[1])).toBe(0);
  });

  it("a script that used the worker threads exits by itself", () => {
    const script = fileURLToPath(new URL("./fixtures/wasm-threads-exit.ts", import.meta.url));
    const tsx = fileURLToPath(new URL("../node_modules/tsx/dist/cli.mjs", import.meta.url));
    const r = spawnSync(process.execPath, [tsx, script], { encoding: "utf8", timeout: 60_000 });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("threads 2");
    expect(r.stdout).toContain("sum ok");
  });
});

describe("max pooling on the wasm backend", () => {
  it("forward, gradient (select_and_scatter_add) and tangent (select_and_gather_add) equal the reference bit for bit", () => {
    for (const dtype of ["float32", "float64"] as const) {
      for (const shape of [[4, 6, 24, 24], [3, 5, 13, 17]]) {
        // Rounded to quarters: ties within windows are common; one NaN.
        const x = fx.round(fx.mul(random(shape, 7, dtype), 4));
        const xs = x.data() as Float32Array | Float64Array;
        xs[5] = NaN;
        const xt = fx.tensor(xs, { shape, dtype });
        const t = random(shape, 8, dtype);
        const w = random([shape[0]!, shape[1]!, shape[2]! >> 1, shape[3]! >> 1], 9, dtype);
        const loss = (a: fx.Tensor) => fx.sum(fx.mul(fx.maxPool2d(a, 2), w));
        const [want, got] = both(() => {
          // Jitted per backend: one jitted function shared by both runs replayed its first backend's kernels.
          const [value, g] = fx.jit((a: fx.Tensor) => fx.valueAndGrad(loss)(a))(xt) as [fx.Tensor, fx.Tensor];
          const [out, tangent] = fx.jvp((a: fx.Tensor) => fx.maxPool2d(a, 2), [xt], [t]);
          return [fx.maxPool2d(xt, 2), value, g, out, tangent];
        });
        got.forEach((g, k) => {
          expect(g.length).toBe(want[k]!.length);
          g.forEach((v, i) => {
            if (!Object.is(v, want[k]![i])) expect.fail(`[${shape}] ${dtype} result ${k}: element ${i} is ${v}, reference ${want[k]![i]}`);
          });
        });
      }
    }
  });
});
