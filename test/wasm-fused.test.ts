/**
 * jit's fused elementwise groups compiled to Wasm SIMD (backend/wasm/fused*.ts)
 * against the generated JavaScript loop and against eager evaluation, bit for
 * bit: random programs over float32 and float64 with broadcast scalars, boolean
 * inputs and outputs, NaN, ±0 and ±Infinity, at sizes around the vector width.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { allocate, type DType, type TypedArray } from "../src/core/dtype.js";
import type { ConcreteTensor } from "../src/core/tensor.js";
import type { FusedGroup } from "../src/backend/spec.js";
import { fusedConfig, fuseWasm } from "../src/backend/wasm/fused.js";
import { getRuntime } from "../src/backend/wasm/runtime.js";
import { fusedKind } from "../src/backend/wasm/fused-kernel.js";
import { wasmFeatures } from "../src/backend/wasm/features.js";
import { splitConfig } from "../src/backend/wasm/split.js";
import { planSteps } from "../src/transforms/compile/fusion.js";
import { describeGroup } from "../src/transforms/compile/executable.js";
import { generateLoop } from "../src/transforms/compile/codegen.js";
import { rng as seeded } from "./support/numeric.js";

const rng = seeded(2026);

function values(n: number, dtype: DType): TypedArray {
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) {
    const r = rng();
    if (dtype === "bool") data[i] = r < 0.5 ? 1 : 0;
    else data[i] = r < 0.05 ? [NaN, Infinity, -Infinity, -0, 0][Math.floor(r * 100)]! : r < 0.15 ? Math.round(r * 20) - 1 : (rng() - 0.5) * 8;
  }
  return data;
}

type Value = { t: fx.Tensor; bool: boolean };

/** A random elementwise program over inputs x, y, z (n elements), s (one element) and m (bool); returns 1–3 outputs. */
function randomProgram(seed: number) {
  return (x: fx.Tensor, y: fx.Tensor, z: fx.Tensor, s: fx.Tensor, m: fx.Tensor): fx.Tensor[] => {
    let state = seed;
    const pick = (k: number) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % k;
    };
    const nums: fx.Tensor[] = [x, y, z, s];
    const bools: fx.Tensor[] = [m];
    const made: Value[] = [];
    const num = () => nums[pick(nums.length)]!;
    const bool = () => bools[pick(bools.length)]!;
    for (let i = 0; i < 6 + pick(10); i++) {
      const kind = pick(15);
      let v: Value;
      if (kind < 6) v = { t: [fx.add, fx.sub, fx.mul, fx.div, fx.maximum, fx.minimum][kind]!(num(), num()), bool: false };
      else if (kind === 6) v = { t: [fx.neg, fx.abs, fx.sqrt, fx.exp, fx.sigmoid, fx.erf][pick(6)]!(num()), bool: false };
      else if (kind === 7) v = { t: [fx.greater, fx.less, fx.equal, fx.notEqual, fx.greaterEqual, fx.lessEqual][pick(6)]!(num(), num()), bool: true };
      else if (kind === 8) v = { t: [fx.logicalAnd, fx.logicalOr, fx.logicalXor][pick(3)]!(bool(), bool()), bool: true };
      else if (kind === 9) v = { t: fx.logicalNot(bool()), bool: true };
      else if (kind === 10) v = { t: fx.where(bool(), num(), num()), bool: false };
      else if (kind === 11) v = { t: bool().astype(x.dtype), bool: false };
      else if (kind === 12) v = { t: num().astype("bool"), bool: true };
      else if (kind === 13) v = { t: fx.stopGradient(num()), bool: false };
      else v = { t: fx.where(bool(), bool(), bool()), bool: true };
      (v.bool ? bools : nums).push(v.t);
      made.push(v);
    }
    // The last value, plus up to two earlier ones that must then be written out too.
    const outs = [made[made.length - 1]!.t];
    for (let k = pick(3); k > 0; k--) outs.push(made[pick(made.length)]!.t);
    // Every output at the full shape (a value of a scalar, row or column alone is broadcast).
    return outs.map((o) => (o.shape.join() === x.shape.join() ? o : fx.broadcastTo(o, x.shape)));
  };
}

function sameBits(got: TypedArray, want: TypedArray, what: string) {
  expect(got.constructor, what).toBe(want.constructor);
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) expect.fail(`${what}: element ${i} is ${got[i]}, expected ${want[i]}`);
  }
}

const SIZES = [0, 1, 2, 3, 4, 5, 7, 8, 9, 33, 257, 1000];

/**
 * Runs every fused group of `program` that `accept` picks through its Wasm
 * kernel and through the JavaScript loop, on the program's inputs (`tensors`)
 * or random values for intermediates; the outputs must agree bit for bit.
 * Returns the groups checked.
 */
function wasmEqualsJsLoop(program: ReturnType<ReturnType<typeof fx.jit>["trace"]>, tensors: fx.Tensor[], accept: (g: FusedGroup, n: number) => boolean, what: string): FusedGroup[] {
  const checked: FusedGroup[] = [];
  for (const step of planSteps(program)) {
    if (step.kind !== "fused") continue;
    const n = step.shape.reduce((a, b) => a * b, 1);
    const group = describeGroup(step, program.avals, n);
    if (!accept(group, n)) continue;
    const wasm = fuseWasm(group);
    expect(wasm, JSON.stringify(group.inputs)).not.toBeNull();
    checked.push(group);
    const ins = step.inputs.map((v) => {
      const t = tensors[program.inputs.indexOf(v)];
      return t ? t.data() : values(program.avals[v]!.shape.reduce((a, b) => a * b, 1), program.avals[v]!.dtype);
    });
    const outAvals = step.outputs.map((v) => program.avals[v]!);
    const got = outAvals.map((a) => allocate(a.dtype, n)), want = outAvals.map((a) => allocate(a.dtype, n));
    wasm!(ins, got);
    generateLoop(step.eqns, step.inputs, step.outputs, program.avals, step.shape)(ins, want, n);
    got.forEach((g, k) => sameBits(g, want[k]!, `${what} group output ${k}`));
  }
  return checked;
}

describe.skipIf(!wasmFeatures().simd)("fused groups in Wasm SIMD", () => {
  let previous: number;
  beforeAll(() => {
    previous = fusedConfig.minElements;
    fusedConfig.minElements = 0;
  });
  afterAll(() => {
    fusedConfig.minElements = previous;
  });

  for (const dtype of ["float32", "float64"] as const) {
    it(`random ${dtype} programs: the Wasm loop writes what the JavaScript loop writes`, () => {
      let compiled = 0;
      for (let p = 0; p < 60; p++) {
        const n = SIZES[p % SIZES.length]!;
        const args = [values(n, dtype), values(n, dtype), values(n, dtype), values(1, dtype), values(n, "bool")];
        const tensors = args.map((a, i) => fx.tensor(a, { dtype: i === 4 ? "bool" : dtype, shape: i === 3 ? [] : [n] }));
        const f = randomProgram(1000 + p);
        const program = fx.jit(f).trace(...(tensors as [fx.Tensor, fx.Tensor, fx.Tensor, fx.Tensor, fx.Tensor]));
        const env = new Map<number, TypedArray>();
        program.inputs.forEach((v, i) => env.set(v, args[i]!));
        for (const [v, t] of program.consts) env.set(v, (t as ConcreteTensor).data());
        for (const step of planSteps(program)) {
          if (step.kind !== "fused") {
            // Only the scalar's broadcast to the full shape runs as a kernel here.
            expect(step.eqn.prim.name).toBe("broadcast_to");
            const v = step.eqn.inputs[0]!;
            const src = fx.tensor(env.get(v)!, { dtype: program.avals[v]!.dtype, shape: [...program.avals[v]!.shape] });
            env.set(step.eqn.outputs[0]!, fx.broadcastTo(src, [n]).data());
            continue;
          }
          const size = step.shape.reduce((a, b) => a * b, 1);
          const group = describeGroup(step, program.avals, size);
          expect(fusedKind(group), JSON.stringify(group.ops)).toBe(dtype === "float32" ? "f32" : "f64");
          const wasm = fuseWasm(group)!;
          expect(wasm).not.toBeNull();
          compiled++;
          const ins = step.inputs.map((v) => env.get(v)!);
          const outAvals = step.outputs.map((v) => program.avals[v]!);
          const got = outAvals.map((a) => allocate(a.dtype, size));
          const want = outAvals.map((a) => allocate(a.dtype, size));
          wasm(ins, got);
          generateLoop(step.eqns, step.inputs, step.outputs, program.avals, step.shape)(ins, want, size);
          step.outputs.forEach((v, k) => {
            sameBits(got[k]!, want[k]!, `program ${p} (n = ${size}) output v${v}`);
            env.set(v, got[k]!);
          });
        }
      }
      expect(compiled).toBeGreaterThanOrEqual(60);
    });

    it(`jit of random ${dtype} programs equals eager on the wasm backend`, () => {
      const before = fx.getBackend().name;
      fx.setBackend("wasm");
      try {
        for (let p = 0; p < 30; p++) {
          const n = SIZES[(p * 7) % SIZES.length]!;
          const tensors = [0, 1, 2, 3, 4].map((i) =>
            fx.tensor(values(i === 3 ? 1 : n, i === 4 ? "bool" : dtype), { dtype: i === 4 ? "bool" : dtype, shape: i === 3 ? [] : [n] }));
          const f = randomProgram(5000 + p);
          const eager = f(...(tensors as [fx.Tensor, fx.Tensor, fx.Tensor, fx.Tensor, fx.Tensor]));
          const jitted = fx.jit(f)(...(tensors as [fx.Tensor, fx.Tensor, fx.Tensor, fx.Tensor, fx.Tensor])) as fx.Tensor[];
          eager.forEach((e, k) => sameBits(jitted[k]!.data(), e.data(), `program ${p} (n = ${n}) output ${k}`));
        }
      } finally {
        fx.setBackend(before);
      }
    });
  }

  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype} groups reading rows and columns (bias, row statistics, masks) equal eager and the JavaScript loop`, () => {
      const before = fx.getBackend().name;
      fx.setBackend("wasm");
      let broadcastGroups = 0;
      try {
        for (let p = 0; p < 60; p++) {
          const R = [0, 1, 3, 5][p % 4]!, P = [8, 16, 24][p % 3]!;
          // x full [R, P]; y a row [P]; z a column [R, 1]; s a scalar; m a row or a column of booleans.
          const mShape = p % 2 ? [P] : [R, 1];
          const shapes = [[R, P], [P], [R, 1], [], mShape];
          const tensors = shapes.map((shape, i) => {
            const d = i === 4 ? "bool" : dtype;
            return fx.tensor(values(shape.reduce((a, b) => a * b, 1), d), { dtype: d, shape });
          }) as [fx.Tensor, fx.Tensor, fx.Tensor, fx.Tensor, fx.Tensor];
          const f = randomProgram(9000 + p);
          const eager = f(...tensors);
          const jitted = fx.jit(f)(...tensors) as fx.Tensor[];
          eager.forEach((e, k) => sameBits(jitted[k]!.data(), e.data(), `program ${p} ([${R}, ${P}]) output ${k}`));
          broadcastGroups += wasmEqualsJsLoop(fx.jit(f).trace(...tensors), tensors, (g, n) => g.inputs.some((x) => x.period || x.repeat) && n > 0, `program ${p}`).length;
        }
      } finally {
        fx.setBackend(before);
      }
      expect(broadcastGroups).toBeGreaterThanOrEqual(15);
    });
  }

  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype} groups reading channels (conv biases, channel masks) equal eager and the JavaScript loop`, () => {
      const before = fx.getBackend().name;
      let channelGroups = 0, quarterAligned = 0;
      try {
        for (let p = 0; p < 60; p++) {
          // H·W a multiple of 8, or of 4 only (a float32 vector then never spans two channels, but an iteration does).
          const N = [1, 3, 5, 2][p % 4]!, C = [1, 2, 3, 5, 8, 7][p % 6]!, [H, W] = [[2, 4], [4, 4], [4, 6], [2, 2], [3, 4], [4, 5]][Math.floor(p / 4) % 6]!;
          // x full [N, C, H, W]; y a channel [C, 1, 1]; z a channel [1, C, 1, 1]; s a scalar; m a channel of booleans.
          const shapes = [[N, C, H, W], [C, 1, 1], [1, C, 1, 1], [], p % 2 ? [C, 1, 1] : [1, C, 1, 1]];
          const tensors = shapes.map((shape, i) => {
            const d = i === 4 ? "bool" : dtype;
            return fx.tensor(values(shape.reduce((a, b) => a * b, 1), d), { dtype: d, shape });
          }) as [fx.Tensor, fx.Tensor, fx.Tensor, fx.Tensor, fx.Tensor];
          const f = randomProgram(12000 + p);
          fx.setBackend("wasm");
          const eager = f(...tensors);
          const jitted = fx.jit(f)(...tensors) as fx.Tensor[];
          eager.forEach((e, k) => sameBits(jitted[k]!.data(), e.data(), `program ${p} ([${N}, ${C}, ${H}, ${W}]) output ${k}`));
          // The JavaScript loop alone (a backend without fused kernels).
          fx.setBackend("reference");
          const js = fx.jit(f)(...tensors) as fx.Tensor[];
          eager.forEach((e, k) => sameBits(js[k]!.data(), e.data(), `program ${p} ([${N}, ${C}, ${H}, ${W}]) reference output ${k}`));
          const groups = wasmEqualsJsLoop(fx.jit(f).trace(...tensors), tensors, (g) => g.inputs.some((x) => x.period && x.repeat), `program ${p}`);
          channelGroups += groups.length;
          quarterAligned += groups.filter((g) => g.inputs.some((x) => x.period && x.repeat && x.repeat % 8 !== 0)).length;
        }
      } finally {
        fx.setBackend(before);
      }
      expect(channelGroups).toBeGreaterThanOrEqual(15);
      expect(quarterAligned).toBeGreaterThanOrEqual(5);
    });
  }

  it("a channel group reads element ⌊i / repeat⌋ mod period, in Wasm for every period including 1", () => {
    for (const dtype of ["float32", "float64", "bool"] as const) {
      for (const [period, repeat, cycles] of [[1, 8, 3], [3, 8, 2], [2, 16, 3], [5, 24, 1], [1, 4, 5], [3, 4, 3], [2, 12, 2], [7, 20, 1]] as const) {
        const n = period * repeat * cycles;
        const kind = dtype === "float64" ? "float64" : "float32";
        const x = values(n, kind), c = values(period, dtype);
        // out = x where c (bool) / out = x + c (float), with c a channel input.
        const group = dtype === "bool"
          ? { inputs: [{ dtype: kind, scalar: false }, { dtype, scalar: false, period, repeat }, { dtype: kind, scalar: true }], ops: [{ prim: "select", args: [1, 0, 2], dtype: kind }], outputs: [3], n }
          : { inputs: [{ dtype, scalar: false }, { dtype, scalar: false, period, repeat }], ops: [{ prim: "add", args: [0, 1], dtype }], outputs: [2], n };
        const zero = allocate(kind, 1);
        const out = allocate(kind, n);
        fuseWasm(group as never)!(dtype === "bool" ? [x, c, zero] : [x, c], [out]);
        const want = allocate(kind, n);
        for (let i = 0; i < n; i++) {
          const ci = c[Math.floor(i / repeat) % period]!;
          want[i] = dtype === "bool" ? (ci ? x[i]! : 0) : x[i]! + ci;
        }
        sameBits(out, want, `${dtype} period ${period} repeat ${repeat}`);
      }
    }
  });

  it("fuses a conv bias [C, 1, 1] and the ReLU after it into one group over [N, C, H, W]", () => {
    const conv = (x: fx.Tensor, b: fx.Tensor) => fx.maximum(x.add(b), 0);
    const program = fx.jit(conv).trace(fx.ones([3, 5, 4, 6]), fx.ones([5, 1, 1]));
    const steps = planSteps(program);
    expect(steps.every((s) => s.kind === "fused")).toBe(true);
    expect(steps.length).toBe(1);
    const group = describeGroup(steps[0] as never, program.avals, 360);
    expect(group.inputs.find((x) => x.period !== undefined)).toEqual({ dtype: "float32", scalar: false, period: 5, repeat: 24 });
    // H·W = 26·26 is a multiple of 4 only, and fuses too (as in a conv net's first layer).
    const big = fx.jit(conv).trace(fx.ones([2, 3, 26, 26]), fx.ones([3, 1, 1]));
    const bigSteps = planSteps(big);
    expect(bigSteps.length).toBe(1);
    expect(describeGroup(bigSteps[0] as never, big.avals, 2 * 3 * 676).inputs.find((x) => x.period !== undefined)).toEqual({ dtype: "float32", scalar: false, period: 3, repeat: 676 });
    // A leading axis of size 1 before the batch axis does not hide the channel.
    const lead1 = fx.jit(conv).trace(fx.ones([1, 3, 5, 4, 6]), fx.ones([5, 1, 1]));
    expect(describeGroup(planSteps(lead1)[0] as never, lead1.avals, 360).inputs.find((x) => x.period !== undefined)).toEqual({ dtype: "float32", scalar: false, period: 5, repeat: 24 });
    // H·W not a multiple of 4: the add stays a kernel.
    const odd = fx.jit(conv).trace(fx.ones([3, 5, 3, 3]), fx.ones([5, 1, 1]));
    expect(planSteps(odd).some((s) => s.kind === "kernel" && s.eqn.prim.name === "add")).toBe(true);
  });

  it("a row operand is found when the group has leading axes of size 1 too ([1, 1, C] on [1, N, C])", () => {
    const program = fx.jit((x: fx.Tensor, b: fx.Tensor) => fx.maximum(x.add(b), 0)).trace(fx.ones([1, 5, 8]), fx.ones([1, 1, 8]));
    const steps = planSteps(program);
    expect(steps.length).toBe(1);
    expect(describeGroup(steps[0] as never, program.avals, 40).inputs.find((x) => x.period !== undefined)).toEqual({ dtype: "float32", scalar: false, period: 8 });
  });

  it("fuses a bias row and a row statistic column into the group of their shape", () => {
    const program = fx.jit((x: fx.Tensor, b: fx.Tensor) => {
      const y = x.add(b);
      return y.sub(y.max(-1, true)).exp();
    }).trace(fx.ones([4, 16]), fx.ones([16]));
    const fused = planSteps(program).filter((s) => s.kind === "fused");
    const layouts = fused.flatMap((s) => describeGroup(s as never, program.avals, 64).inputs);
    expect(layouts.some((x) => x.period === 16)).toBe(true);
    expect(layouts.some((x) => x.repeat === 16)).toBe(true);
    // A row whose length is not a multiple of 8 is not fused (it would straddle SIMD steps).
    const odd = fx.jit((x: fx.Tensor, b: fx.Tensor) => x.add(b).mul(2)).trace(fx.ones([4, 10]), fx.ones([10]));
    expect(planSteps(odd).some((s) => s.kind === "kernel" && s.eqn.prim.name === "add")).toBe(true);
  });

  it("declines groups it cannot compute exactly: int32, mixed float widths, log", () => {
    const trace = (f: (...a: fx.Tensor[]) => fx.Tensor, ...args: fx.Tensor[]) => {
      const program = fx.jit(f).trace(...args);
      const step = planSteps(program).find((s) => s.kind === "fused")!;
      return describeGroup(step as never, program.avals, 64);
    };
    const f32 = fx.ones([64]), f64 = fx.ones([64], "float64"), i32 = fx.ones([64], "int32");
    expect(fusedKind(trace((a, b) => a.add(b).mul(b), i32, i32))).toBeNull();
    expect(fusedKind(trace((a, b) => a.astype("float64").add(b).mul(b), f32, f64))).toBeNull();
    expect(fusedKind(trace((a) => fx.log(a).add(a), f32))).toBeNull();
    expect(fusedKind(trace((a, b) => a.add(b).mul(b), f32, f32))).toBe("f32");
  });

  it("an optimizer step under jit uses the compiled groups and matches eager exactly", () => {
    const before = fx.getBackend().name;
    fx.setBackend("wasm");
    try {
      const opt = fx.optim.adam(1e-2);
      const params = { w: fx.random.normal(fx.random.key(1), [37, 11]), b: fx.random.normal(fx.random.key(2), [11]) };
      const grads = { w: fx.random.normal(fx.random.key(3), [37, 11]), b: fx.random.normal(fx.random.key(4), [11]) };
      const update = (p: typeof params, s: unknown, g: typeof grads) => {
        const [u, s2] = opt.update(g, s as never, p);
        return [fx.optim.applyUpdates(p, u), s2] as const;
      };
      let pe: typeof params = params, se: unknown = opt.init(params);
      let pj: typeof params = params, sj: unknown = opt.init(params);
      const jitted = fx.jit(update);
      for (let i = 0; i < 3; i++) {
        [pe, se] = update(pe, se, grads);
        [pj, sj] = jitted(pj, sj, grads) as unknown as [typeof params, unknown];
      }
      sameBits(pj.w.data(), pe.w.data(), "w");
      sameBits(pj.b.data(), pe.b.data(), "b");
      const program = fx.jit(update).trace(params, opt.init(params), grads);
      const groups = planSteps(program).filter((s) => s.kind === "fused");
      const big = groups.filter((s) => s.kind === "fused" && s.shape.length === 2);
      // Adam's update of w is one group (m, v and the parameter together), and it compiles.
      expect(big.length).toBe(1);
      expect(fusedKind(describeGroup(big[0] as never, program.avals, 37 * 11))).toBe("f32");
    } finally {
      fx.setBackend(before);
    }
  });
});

describe.skipIf(!wasmFeatures().simd || !wasmFeatures().threads)("large fused groups split across worker threads", () => {
  const threadsBefore = fx.getThreads();
  // These groups (70 K elements and less) split only while a worker is awake; here the workers are woken for them.
  beforeAll(() => void (splitConfig.wakeMinElements = 0));
  afterAll(() => {
    fx.setThreads(threadsBefore);
    splitConfig.wakeMinElements = splitConfig.defaultWakeMinElements;
  });

  /** An optimizer-like update: literal constants (scalar inputs) next to whole arrays, three outputs. */
  const update = (p: fx.Tensor, g: fx.Tensor, m: fx.Tensor, v: fx.Tensor) => {
    const m1 = m.mul(0.9).add(g.mul(0.1));
    const v1 = v.mul(0.999).add(g.square().mul(0.001));
    return [p.sub(m1.div(v1.sqrt().add(1e-8)).mul(3e-4)), m1, v1];
  };

  for (const threads of [2, 3]) {
    for (const dtype of ["float32", "float64"] as const) {
      it(`${threads} threads, ${dtype}: groups with row, column and channel inputs split at the patterns' starts, equal to eager and one thread`, async () => {
        const before = fx.getBackend().name;
        fx.setBackend("wasm");
        try {
          // x [N, C, H, W] with a channel bias [C, 1, 1], a row [W] and a column [N, 1, 1, 1]: a conv's bias + ReLU and more.
          for (const [N, C, H, W] of [[40, 5, 12, 24], [9, 3, 8, 16], [3, 7, 4, 8]] as const) {
            const n = N * C * H * W;
            const x = fx.tensor(values(n, dtype), { dtype, shape: [N, C, H, W] });
            const bias = fx.tensor(values(C, dtype), { dtype, shape: [C, 1, 1] });
            const row = fx.tensor(values(W, dtype), { dtype, shape: [W] });
            const column = fx.tensor(values(N, dtype), { dtype, shape: [N, 1, 1, 1] });
            const f = (x: fx.Tensor, b: fx.Tensor, r: fx.Tensor, c: fx.Tensor) => {
              const y = x.add(b);
              return [fx.relu(y.mul(c).add(r)), y.greater(0)];
            };
            fx.setThreads(1);
            const single = fx.jit(f)(x, bias, row, column) as fx.Tensor[];
            fx.setThreads(threads);
            expect(await fx.threadsReady()).toBe(threads);
            const pool = getRuntime().pool;
            const handOffs = () => Array.from({ length: threads - 1 }, (_, w) => pool.completed(w + 1)).reduce((a, b) => a + b, 0);
            const handOffsBefore = handOffs();
            const split = fx.jit(f)(x, bias, row, column) as fx.Tensor[];
            if (n >= 1 << 15) expect(handOffs(), `${[N, C, H, W]}: no worker took part`).toBeGreaterThan(handOffsBefore);
            f(x, bias, row, column).forEach((e, k) => {
              sameBits(split[k]!.data(), e.data(), `${[N, C, H, W]}, output ${k} vs eager`);
              sameBits(split[k]!.data(), single[k]!.data(), `${[N, C, H, W]}, output ${k} vs one thread`);
            });
          }
        } finally {
          fx.setBackend(before);
        }
      });
      it(`${threads} threads, ${dtype}: the workers take ranges, and the result equals eager and one thread bit for bit`, async () => {
        const before = fx.getBackend().name;
        fx.setBackend("wasm");
        try {
          for (const n of [70_001, 40_003, 32_768]) {
            const arrays = [0, 1, 2, 3].map(() => fx.tensor(values(n, dtype), { dtype, shape: [n] }));
            arrays[3] = arrays[3]!.abs();
            const tensors = [...arrays, fx.tensor(values(1, dtype), { dtype, shape: [] }), fx.tensor(values(n, "bool"), { dtype: "bool", shape: [n] })];
            const programs: [string, (...xs: fx.Tensor[]) => fx.Tensor[], fx.Tensor[]][] = [
              ["update", (p, g, m, v) => update(p!, g!, m!, v!), arrays],
              ["float and boolean outputs", (x, y, m) => [x.greater(y).logicalAnd(m!), x.mul(y).add(1), fx.where(m!, x!, y!)], [arrays[0]!, arrays[1]!, tensors[5]!]],
              ["random program", (x, y, z, s, m) => randomProgram(77 + n)(x!, y!, z!, s!, m!), [arrays[0]!, arrays[1]!, arrays[2]!, tensors[4]!, tensors[5]!]],
            ];
            for (const [name, f, args] of programs) {
              fx.setThreads(1);
              const single = fx.jit(f)(...args) as fx.Tensor[];
              fx.setThreads(threads);
              expect(await fx.threadsReady()).toBe(threads);
              const pool = getRuntime().pool;
              const handOffs = () => Array.from({ length: threads - 1 }, (_, w) => pool.completed(w + 1)).reduce((a, b) => a + b, 0);
              const handOffsBefore = handOffs();
              const split = fx.jit(f)(...args) as fx.Tensor[];
              if (name === "update") expect(handOffs(), `${name}, n = ${n}: no worker took part`).toBeGreaterThan(handOffsBefore);
              const eager = f(...args);
              eager.forEach((e, k) => {
                sameBits(split[k]!.data(), e.data(), `${name}, n = ${n}, output ${k} vs eager`);
                sameBits(split[k]!.data(), single[k]!.data(), `${name}, n = ${n}, output ${k} vs one thread`);
              });
            }
          }
        } finally {
          fx.setBackend(before);
        }
      });
    }
  }
});
