import { describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import {
  finiteDiffGrad, naiveConv2d, naiveConvTranspose2d, randomData, rng, size, toTensor, worstError,
  type Conv2dSpec, type Dense,
} from "./conv-reference.js";

type DT = "float32" | "float64";
type Pad = "same" | "valid" | number | [number, number][];

/** One convolution problem: 1-D cases use only the W axis (H = KH = 1). */
interface Case {
  name: string;
  nd: 1 | 2;
  N: number; C: number; O: number; groups: number;
  H: number; W: number; KH: number; KW: number;
  stride: [number, number]; dilation: [number, number];
  padding: Pad;
}

const spatial = (c: Case, h: number, w: number) => (c.nd === 1 ? [w] : [h, w]);
const xShape = (c: Case) => [c.N, c.C, ...spatial(c, c.H, c.W)];
const wShape = (c: Case) => [c.O, c.C / c.groups, ...spatial(c, c.KH, c.KW)];
const perAxis = (c: Case, v: [number, number]) => (c.nd === 1 ? [v[1]] : [...v]);
const opts = (c: Case): fx.ConvOptions => ({ stride: perAxis(c, c.stride), dilation: perAxis(c, c.dilation), padding: c.padding, groups: c.groups });

/** The (lo, hi) padding of each axis, "same" worked out from TensorFlow's rule. */
function padPairs(c: Case): [[number, number], [number, number]] {
  const axis = (I: number, K: number, s: number, d: number, k: number): [number, number] => {
    if (c.padding === "valid") return [0, 0];
    if (typeof c.padding === "number") return [c.padding, c.padding];
    if (Array.isArray(c.padding)) return c.padding[c.nd === 1 ? 0 : k]!;
    const need = Math.max(0, (Math.ceil(I / s) - 1) * s + (K - 1) * d + 1 - I);
    return [Math.floor(need / 2), Math.ceil(need / 2)];
  };
  const w = axis(c.W, c.KW, c.stride[1], c.dilation[1], 1);
  if (c.nd === 1) return [[0, 0], w];
  return [axis(c.H, c.KH, c.stride[0], c.dilation[0], 0), w];
}

function reference(c: Case, x: Float64Array, w: Float64Array): Dense {
  const spec: Conv2dSpec = { stride: c.stride, dilation: c.dilation, pad: padPairs(c), groups: c.groups };
  const r = naiveConv2d({ data: x, shape: [c.N, c.C, c.H, c.W] }, { data: w, shape: [c.O, c.C / c.groups, c.KH, c.KW] }, spec);
  return { data: r.data, shape: c.nd === 1 ? [r.shape[0]!, r.shape[1]!, r.shape[3]!] : r.shape };
}

function fits(c: Case): boolean {
  const [ph, pw] = padPairs(c);
  return c.H + ph[0] + ph[1] >= (c.KH - 1) * c.dilation[0] + 1 && c.W + pw[0] + pw[1] >= (c.KW - 1) * c.dilation[1] + 1;
}

const named: Case[] = [
  { name: "3x3 same, batch 3", nd: 2, N: 3, C: 2, O: 4, groups: 1, H: 5, W: 6, KH: 3, KW: 3, stride: [1, 1], dilation: [1, 1], padding: "same" },
  { name: "stride 2, dilation 2, odd sizes", nd: 2, N: 1, C: 3, O: 2, groups: 1, H: 9, W: 7, KH: 3, KW: 2, stride: [2, 2], dilation: [2, 2], padding: 1 },
  { name: "groups 2, stride 2 same", nd: 2, N: 3, C: 4, O: 6, groups: 2, H: 7, W: 5, KH: 3, KW: 3, stride: [2, 2], dilation: [1, 1], padding: "same" },
  { name: "depthwise (groups = C)", nd: 2, N: 2, C: 3, O: 6, groups: 3, H: 6, W: 6, KH: 2, KW: 3, stride: [1, 2], dilation: [1, 1], padding: "valid" },
  { name: "size-1 dims, 1x1 kernel", nd: 2, N: 1, C: 1, O: 1, groups: 1, H: 1, W: 5, KH: 1, KW: 1, stride: [1, 1], dilation: [1, 1], padding: "valid" },
  { name: "kernel the size of the input", nd: 2, N: 1, C: 2, O: 3, groups: 1, H: 4, W: 3, KH: 4, KW: 3, stride: [1, 1], dilation: [1, 1], padding: "valid" },
  { name: "asymmetric pairs", nd: 2, N: 2, C: 2, O: 2, groups: 1, H: 5, W: 4, KH: 2, KW: 3, stride: [2, 1], dilation: [1, 2], padding: [[0, 2], [1, 0]] },
  { name: "1-D same stride 2", nd: 1, N: 3, C: 2, O: 3, groups: 1, H: 1, W: 11, KH: 1, KW: 4, stride: [1, 2], dilation: [1, 1], padding: "same" },
  { name: "1-D groups 2 dilation 2", nd: 1, N: 1, C: 4, O: 2, groups: 2, H: 1, W: 9, KH: 1, KW: 3, stride: [1, 1], dilation: [1, 2], padding: 2 },
  { name: "1-D depthwise valid", nd: 1, N: 3, C: 3, O: 3, groups: 3, H: 1, W: 6, KH: 1, KW: 2, stride: [1, 2], dilation: [1, 1], padding: "valid" },
];

function randomCases(count: number, seed: number): Case[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const out: Case[] = [];
  while (out.length < count) {
    const nd = pick([1, 2] as const);
    const Cg = pick([1, 2, 3]), Og = pick([1, 2]);
    const groupsKind = pick(["one", "two", "depthwise"] as const);
    const groups = groupsKind === "one" ? 1 : groupsKind === "two" ? 2 : Cg * pick([1, 2]);
    const C = groupsKind === "depthwise" ? groups : Cg * groups;
    const c: Case = {
      name: `random ${out.length}`, nd, N: pick([1, 3]), C, O: Og * groups, groups,
      H: nd === 1 ? 1 : pick([1, 2, 3, 5, 6, 7]), W: pick([1, 3, 4, 5, 8, 9]),
      KH: nd === 1 ? 1 : pick([1, 2, 3]), KW: pick([1, 2, 3]),
      stride: [nd === 1 ? 1 : pick([1, 2]), pick([1, 2])], dilation: [nd === 1 ? 1 : pick([1, 2]), pick([1, 2])],
      padding: pick(["same", "valid", 0, 1, 2] as const),
    };
    if (fits(c)) out.push(c);
  }
  return out;
}

const cases = [...named, ...randomCases(24, 7)];

function makeInputs(c: Case, seed: number, dtype: DT = "float64") {
  const r = rng(seed);
  const x = randomData(r, xShape(c), dtype), w = randomData(r, wShape(c), dtype);
  return { x, w, xt: toTensor(x, xShape(c), dtype), wt: toTensor(w, wShape(c), dtype) };
}

describe("conv forward matches a direct-loop convolution", () => {
  for (const dtype of ["float64", "float32"] as const) {
    cases.forEach((c, k) => {
      it(`${c.name} (${dtype})`, () => {
        const { x, w, xt, wt } = makeInputs(c, 100 + k, dtype);
        const want = reference(c, x, w);
        const got = c.nd === 1 ? fx.conv1d(xt, wt, opts(c)) : fx.conv2d(xt, wt, opts(c));
        expect(got.shape).toEqual(want.shape);
        expect(got.dtype).toBe(dtype);
        const tol = dtype === "float64" ? 1e-12 : 1e-6;
        expect(worstError(got.data(), want.data, tol, tol)).toBeLessThanOrEqual(1);
      });
    });
  }

  it("general conv infers the spatial rank; conv3d works through the same primitive", () => {
    const c = named[1]!;
    const { x, w, xt, wt } = makeInputs(c, 3);
    expect(worstError(fx.conv(xt, wt, opts(c)).data(), reference(c, x, w).data, 1e-12, 1e-12)).toBeLessThanOrEqual(1);
    // A 3-D convolution with a depth-1 kernel over a depth-1 input is the 2-D one.
    const x3 = fx.reshape(xt, [c.N, c.C, 1, c.H, c.W]), w3 = fx.reshape(wt, [c.O, c.C, 1, c.KH, c.KW]);
    const o3 = fx.conv3d(x3, w3, { stride: [1, 2, 2], dilation: [1, 2, 2], padding: [0, 1, 1] });
    expect(worstError(o3.data(), reference(c, x, w).data, 1e-12, 1e-12)).toBeLessThanOrEqual(1);
  });

  it("unbatched inputs and bias", () => {
    const c = named[0]!;
    const { x, w, xt, wt } = makeInputs(c, 5);
    const bias = fx.tensor([0.5, -1, 2, 3], { dtype: "float64" });
    const got = fx.conv2d(fx.slice(xt, 1), wt, { padding: "same", bias });
    const want = reference(c, x, w);
    const per = size(want.shape.slice(1));
    const plane = c.H * c.W;
    const expected = want.data.slice(per, 2 * per).map((v, i) => v + [0.5, -1, 2, 3][Math.floor(i / plane)]!);
    expect(got.shape).toEqual(want.shape.slice(1));
    expect(worstError(got.data(), expected, 1e-12, 1e-12)).toBeLessThanOrEqual(1);
  });

  it('"same" keeps ⌈size / stride⌉ and puts the odd extra on the high side', () => {
    const x = fx.ones([1, 1, 4], "float64"), w = fx.ones([1, 1, 2], "float64");
    // total padding 1: all on the right, so the last window sees one real element.
    expect(fx.conv1d(x, w, { padding: "same" }).toArray()).toEqual([[[2, 2, 2, 1]]]);
    expect(fx.conv1d(fx.ones([1, 1, 7]), fx.ones([1, 1, 3]), { padding: "same", stride: 2 }).shape).toEqual([1, 1, 4]);
  });

  it("empty batch or no output channels: empty results and zero gradients", () => {
    const loss = (a: fx.Tensor, b: fx.Tensor) => fx.sum(fx.conv2d(a, b));
    const x0 = fx.zeros([0, 2, 5, 5], "float64"), w = fx.ones([3, 2, 3, 3], "float64");
    expect(fx.conv2d(x0, w).shape).toEqual([0, 3, 3, 3]);
    const [, gw] = fx.grad(loss, { argnums: [0, 1] })(x0, w) as fx.Tensor[];
    expect(gw!.shape).toEqual([3, 2, 3, 3]);
    expect([...gw!.data()].every((v) => v === 0)).toBe(true);
    const x = fx.ones([2, 2, 5, 5], "float64"), w0 = fx.ones([0, 2, 3, 3], "float64");
    expect(fx.conv2d(x, w0).shape).toEqual([2, 0, 3, 3]);
    const [gx] = fx.grad(loss, { argnums: [0, 1] })(x, w0) as fx.Tensor[];
    expect(gx!.shape).toEqual([2, 2, 5, 5]);
    expect([...gx!.data()].every((v) => v === 0)).toBe(true);
  });

  it("int32 convolution is exact", () => {
    const x = fx.tensor([[[1, 2, 3, 4]]], { dtype: "int32" }), w = fx.tensor([[[1, -1]]], { dtype: "int32" });
    const y = fx.conv1d(x, w);
    expect(y.dtype).toBe("int32");
    expect(y.toArray()).toEqual([[[-1, -1, -1]]]);
  });
});

describe("conv errors name the operation and the shapes", () => {
  const x = fx.ones([2, 3, 5, 5]);
  it("channel mismatch", () => {
    expect(() => fx.conv2d(x, fx.ones([4, 2, 3, 3]))).toThrow(fx.ShapeError);
    expect(() => fx.conv2d(x, fx.ones([4, 2, 3, 3]))).toThrow(/channel mismatch.*\[2, 3, 5, 5\].*\[4, 2, 3, 3\]/);
  });
  it("groups that do not divide the channels", () => {
    expect(() => fx.conv2d(x, fx.ones([4, 1, 3, 3]), { groups: 2 })).toThrow(/groups 2 does not divide the 3 input channels/);
    expect(() => fx.conv2d(fx.ones([1, 4, 5, 5]), fx.ones([3, 2, 3, 3]), { groups: 2 })).toThrow(/3 output channels/);
  });
  it("kernel larger than the padded input", () => {
    expect(() => fx.conv2d(x, fx.ones([1, 3, 7, 3]))).toThrow(fx.ShapeError);
    expect(() => fx.conv2d(x, fx.ones([1, 3, 4, 3]), { dilation: 2 })).toThrow(/larger than the padded input.*axis 2/);
    expect(fx.conv2d(x, fx.ones([1, 3, 7, 3]), { padding: 1 }).shape).toEqual([2, 1, 1, 5]);
  });
  it("bad ranks and options", () => {
    expect(() => fx.conv2d(fx.ones([5, 5]), fx.ones([1, 1, 3, 3]))).toThrow(/conv2d: expected an input/);
    expect(() => fx.conv2d(x, fx.ones([1, 3, 3]))).toThrow(/conv2d: weight must be/);
    expect(() => fx.conv2d(x, fx.ones([1, 3, 3, 3]), { stride: 0 })).toThrow(fx.ValueError);
    expect(() => fx.conv2d(x, fx.ones([1, 3, 3, 3]), { padding: [1, 2, 3] })).toThrow(/padding needs 2 entries/);
    expect(() => fx.conv2d(x, fx.ones([1, 3, 3, 3]), { padding: -1 })).toThrow(fx.ValueError);
    expect(() => fx.conv2d(x, fx.ones([1, 3, 3, 3]), { bias: fx.ones([2]) })).toThrow(/bias must have shape \[1\]/);
  });
});

/** A smooth scalar function of a convolution, so gradients are not constant. */
function lossOf(c: Case, weights: Float64Array) {
  const R = toTensor(weights, [weights.length], "float64");
  return (x: fx.Tensor, w: fx.Tensor) => fx.sum(fx.mul(fx.sin(fx.conv(x, w, opts(c))), fx.reshape(R, fx.conv(x, w, opts(c)).shape)));
}

function outSize(c: Case): number {
  return size(fx.conv(fx.zeros(xShape(c), "float64"), fx.zeros(wShape(c), "float64"), opts(c)).shape);
}

const within = (ad: ArrayLike<number>, fd: ArrayLike<number>) => worstError(ad, fd, 1e-5, 1e-3);

const gradCases = [...named, ...randomCases(6, 11)];

describe("conv derivatives agree with central finite differences (float64)", () => {
  gradCases.forEach((c, k) => {
    it(`${c.name}: reverse and forward mode, x and w`, () => {
      const r = rng(300 + k);
      const x = randomData(r, xShape(c)), w = randomData(r, wShape(c));
      const f = lossOf(c, randomData(r, [outSize(c)]));
      const fNum = ([a, b]: Float64Array[]) => f(toTensor(a!, xShape(c), "float64"), toTensor(b!, wShape(c), "float64")).item();
      const [fdX, fdW] = finiteDiffGrad(fNum, [x, w]);
      const xt = toTensor(x, xShape(c), "float64"), wt = toTensor(w, wShape(c), "float64");
      const [gx, gw] = fx.grad(f, { argnums: [0, 1] })(xt, wt) as fx.Tensor[];
      expect(within(gx!.data(), fdX!)).toBeLessThanOrEqual(1);
      expect(within(gw!.data(), fdW!)).toBeLessThanOrEqual(1);
      // Forward mode along a random direction in both arguments at once.
      const tx = randomData(r, xShape(c)), tw = randomData(r, wShape(c));
      const [, dirDeriv] = fx.jvp(f, [xt, wt], [toTensor(tx, xShape(c), "float64"), toTensor(tw, wShape(c), "float64")]) as [fx.Tensor, fx.Tensor];
      const fd = fdX!.reduce((s, g, i) => s + g * tx[i]!, 0) + fdW!.reduce((s, g, i) => s + g * tw[i]!, 0);
      expect(within([dirDeriv.item()], [fd])).toBeLessThanOrEqual(1);
    });
  });

  it("jvp of the convolution output, element by element", () => {
    const c = named[2]!;
    const r = rng(41);
    const x = randomData(r, xShape(c)), w = randomData(r, wShape(c));
    const tx = randomData(r, xShape(c)), tw = randomData(r, wShape(c));
    const g = (a: fx.Tensor, b: fx.Tensor) => fx.conv(a, b, opts(c));
    const T = (d: Float64Array, s: number[]) => toTensor(d, s, "float64");
    const [, tOut] = fx.jvp(g, [T(x, xShape(c)), T(w, wShape(c))], [T(tx, xShape(c)), T(tw, wShape(c))]) as [fx.Tensor, fx.Tensor];
    const h = 1e-6;
    const shifted = (sign: number) => g(T(x.map((v, i) => v + sign * h * tx[i]!), xShape(c)), T(w.map((v, i) => v + sign * h * tw[i]!), wShape(c))).data();
    const plus = shifted(1), minus = shifted(-1);
    expect(within(tOut.data(), plus.map((p, i) => (p - minus[i]!) / (2 * h)))).toBeLessThanOrEqual(1);
  });
});

describe("conv second-order derivatives", () => {
  const tiny: Case[] = [
    { name: "2-D stride 2, dilation 2, groups 2", nd: 2, N: 1, C: 2, O: 2, groups: 2, H: 5, W: 6, KH: 2, KW: 2, stride: [2, 2], dilation: [2, 1], padding: 1 },
    { name: "1-D stride 2, same", nd: 1, N: 2, C: 1, O: 2, groups: 1, H: 1, W: 7, KH: 1, KW: 3, stride: [1, 2], dilation: [1, 1], padding: "same" },
  ];
  tiny.forEach((c, k) => {
    it(`${c.name}: grad of a function of the gradient matches finite differences`, () => {
      const r = rng(500 + k);
      const x = randomData(r, xShape(c)), w = randomData(r, wShape(c));
      const f = lossOf(c, randomData(r, [outSize(c)]));
      const V = toTensor(randomData(r, xShape(c)), xShape(c), "float64");
      const U = toTensor(randomData(r, wShape(c)), wShape(c), "float64");
      // h(x, w) = <∂f/∂x, V> + <∂f/∂w, U>: its gradient needs the VJP of the VJP.
      const h = (a: fx.Tensor, b: fx.Tensor) => {
        const [gx, gw] = fx.grad(f, { argnums: [0, 1] })(a, b) as fx.Tensor[];
        return fx.add(fx.sum(fx.mul(gx!, V)), fx.sum(fx.mul(gw!, U)));
      };
      const hNum = ([a, b]: Float64Array[]) => h(toTensor(a!, xShape(c), "float64"), toTensor(b!, wShape(c), "float64")).item();
      const [fdX, fdW] = finiteDiffGrad(hNum, [x, w]);
      const xt = toTensor(x, xShape(c), "float64"), wt = toTensor(w, wShape(c), "float64");
      const [hx, hw] = fx.grad(h, { argnums: [0, 1] })(xt, wt) as fx.Tensor[];
      expect(within(hx!.data(), fdX!)).toBeLessThanOrEqual(1);
      expect(within(hw!.data(), fdW!)).toBeLessThanOrEqual(1);
      // Forward over reverse: jvp of h along (V, U) is <∇h, (V, U)>.
      const [, dh] = fx.jvp(h, [xt, wt], [V, U]) as [fx.Tensor, fx.Tensor];
      const vd = V.data(), ud = U.data();
      const fd = fdX!.reduce((s, g, i) => s + g * vd[i]!, 0) + fdW!.reduce((s, g, i) => s + g * ud[i]!, 0);
      expect(within([dh.item()], [fd])).toBeLessThanOrEqual(1);
    });
  });
});

/** Slices example b out of axis `axis`. */
const take = (t: fx.Tensor, b: number, axis: number) => fx.slice(t, ...Array.from({ length: axis }, () => ":"), b);

describe("vmap of conv equals a loop over the batch", () => {
  const c = named[2]!; // groups 2, stride 2
  const B = 3;
  const r = rng(77);
  const xs = toTensor(randomData(r, [B, ...xShape(c)]), [B, ...xShape(c)], "float64");
  const ws = toTensor(randomData(r, [B, ...wShape(c)]), [B, ...wShape(c)], "float64");
  const x0 = take(xs, 0, 0), w0 = take(ws, 0, 0);
  const f = (x: fx.Tensor, w: fx.Tensor) => fx.conv(x, w, opts(c));
  const stackLoop = (g: (b: number) => fx.Tensor) => fx.stack(Array.from({ length: B }, (_, b) => g(b)));

  it("batched input, shared weight", () => {
    expect(fx.vmap(f, { inAxes: [0, null] })(xs, w0).data()).toEqual(stackLoop((b) => f(take(xs, b, 0), w0)).data());
  });
  it("shared input, batched weight", () => {
    expect(fx.vmap(f, { inAxes: [null, 0] })(x0, ws).data()).toEqual(stackLoop((b) => f(x0, take(ws, b, 0))).data());
  });
  it("both batched, batch axis not in front", () => {
    const xMoved = fx.moveaxis(xs, 0, 2);
    expect(fx.vmap(f, { inAxes: [2, 0] })(xMoved, ws).data()).toEqual(stackLoop((b) => f(take(xs, b, 0), take(ws, b, 0))).data());
  });
  it("per-example weight gradients", () => {
    const loss = (w: fx.Tensor, x: fx.Tensor) => fx.sum(fx.square(f(x, w)));
    const got = fx.vmap(fx.grad(loss), { inAxes: [null, 0] })(w0, xs);
    const want = stackLoop((b) => fx.grad(loss)(w0, take(xs, b, 0)) as fx.Tensor);
    expect(worstError(got.data(), want.data(), 1e-12, 1e-12)).toBeLessThanOrEqual(1);
  });
});

describe("jit of conv equals eager", () => {
  const c = named[1]!;
  const { xt, wt } = makeInputs(c, 9);
  it("forward and gradient", () => {
    const f = (x: fx.Tensor, w: fx.Tensor) => fx.sum(fx.tanh(fx.conv(x, w, opts(c))));
    expect(fx.jit(f)(xt, wt).item()).toBe(f(xt, wt).item());
    const g = fx.grad(f, { argnums: [0, 1] });
    const [jx, jw] = fx.jit(g)(xt, wt) as fx.Tensor[];
    const [ex, ew] = g(xt, wt) as fx.Tensor[];
    expect(jx!.data()).toEqual(ex!.data());
    expect(jw!.data()).toEqual(ew!.data());
  });
});

describe("convTranspose", () => {
  const configs = [
    { N: 2, Cin: 2, CoutG: 3, groups: 1, H: 3, W: 4, K: [3, 2] as [number, number], stride: [2, 2] as [number, number], pad: [1, 0] as [number, number], outPad: [1, 0] as [number, number], dil: [1, 1] as [number, number] },
    { N: 1, Cin: 4, CoutG: 1, groups: 2, H: 4, W: 3, K: [2, 3] as [number, number], stride: [1, 3] as [number, number], pad: [0, 1] as [number, number], outPad: [0, 2] as [number, number], dil: [2, 1] as [number, number] },
  ];
  configs.forEach((cfg, k) => {
    it(`matches the scatter definition (${k})`, () => {
      const r = rng(900 + k);
      const xs = [cfg.N, cfg.Cin, cfg.H, cfg.W], ws = [cfg.Cin, cfg.CoutG, ...cfg.K];
      const x = randomData(r, xs), w = randomData(r, ws);
      const want = naiveConvTranspose2d({ data: x, shape: xs }, { data: w, shape: ws }, cfg.stride, cfg.pad, cfg.outPad, cfg.dil, cfg.groups);
      const got = fx.convTranspose2d(toTensor(x, xs, "float64"), toTensor(w, ws, "float64"),
        { stride: cfg.stride, padding: cfg.pad, outputPadding: cfg.outPad, dilation: cfg.dil, groups: cfg.groups });
      expect(got.shape).toEqual(want.shape);
      expect(worstError(got.data(), want.data, 1e-12, 1e-12)).toBeLessThanOrEqual(1);
    });
  });

  it("is the input gradient of conv2d", () => {
    const r = rng(950);
    const x = toTensor(randomData(r, [1, 2, 7, 6]), [1, 2, 7, 6], "float64");
    const w = toTensor(randomData(r, [3, 2, 3, 3]), [3, 2, 3, 3], "float64");
    const o = { stride: 2, padding: 1 };
    const [y, back] = fx.vjp((a: fx.Tensor) => fx.conv2d(a, w, o), x) as [fx.Tensor, (ct: fx.Tensor) => fx.Tensor[]];
    const ct = toTensor(randomData(r, [...y.shape]), [...y.shape], "float64");
    const viaTranspose = fx.convTranspose2d(ct, w, { ...o, outputPadding: [0, 1] });
    expect(viaTranspose.shape).toEqual(x.shape);
    expect(worstError(viaTranspose.data(), back(ct)[0]!.data(), 1e-12, 1e-12)).toBeLessThanOrEqual(1);
  });

  it("rejects a too large output padding", () => {
    expect(() => fx.convTranspose2d(fx.ones([1, 1, 3, 3]), fx.ones([1, 1, 2, 2]), { stride: 2, outputPadding: 2 })).toThrow(/outputPadding 2/);
  });
});
