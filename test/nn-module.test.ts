import { describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { expectAllClose, flat } from "./support/numeric.js";

const { nn } = fx;
const key = fx.random.key(42);
const leavesOf = (t: unknown) => fx.tree.leaves(t).map((l) => flat((l as fx.Tensor).toArray()));

function smallNet(k = key) {
  const [k1, k2, k3] = fx.random.split(k, 3);
  return new nn.Sequential([
    new nn.Linear(3, 4, { key: k1!, dtype: "float64" }),
    new nn.BatchNorm(4, { dtype: "float64" }),
    nn.relu,
    new nn.Dropout(0.25),
    new nn.MLP({ inSize: 4, outSize: 2, widths: [5], key: k2!, dtype: "float64" }),
    new nn.Linear(2, 2, { key: k3!, bias: false, dtype: "float64" }),
  ]);
}

describe("modules are pytrees", () => {
  it("flatten/unflatten round-trips to the same class, fields and outputs", () => {
    const net = smallNet();
    const [leaves, def] = fx.tree.flatten(net);
    // Linear 2 + BatchNorm 4 + MLP 4 + Linear 1 (no bias: a null child, no leaf)
    expect(leaves.length).toBe(11);
    const back = fx.tree.unflatten(def, leaves) as typeof net;
    expect(back).toBeInstanceOf(nn.Sequential);
    expect(back).not.toBe(net);
    expect(back.layers[0]).toBeInstanceOf(nn.Linear);
    expect((back.layers[0] as fx.nn.Linear).inFeatures).toBe(3);
    expect((back.layers[5] as fx.nn.Linear).bias).toBeNull();
    expect(fx.tree.structure(back)).toBe(fx.tree.structure(net));
    const x = fx.random.normal(key, [6, 3], { dtype: "float64" });
    expect(flat(back.forward(x).toArray())).toEqual(flat(net.forward(x).toArray()));
  });

  it("static config is aux data: a different config or activation is a different structure", () => {
    const a = new nn.MLP({ inSize: 2, outSize: 1, widths: [3], key });
    const b = new nn.MLP({ inSize: 2, outSize: 1, widths: [3], key, activation: nn.tanh });
    const c = new nn.MLP({ inSize: 2, outSize: 1, widths: [3], key: fx.random.key(7) });
    expect(fx.tree.structure(a)).not.toBe(fx.tree.structure(b));
    expect(fx.tree.structure(a)).toBe(fx.tree.structure(c));
    expect(() => fx.tree.map((x: fx.Tensor, y: fx.Tensor) => x.add(y), a, b)).toThrow(fx.ValueError);
  });

  it("tree.map builds a new module of the same class", () => {
    const lin = new nn.Linear(2, 3, { key });
    const doubled = fx.tree.map((t: fx.Tensor) => t.mul(2), lin);
    expect(doubled).toBeInstanceOf(nn.Linear);
    expect(flat(doubled.weight.toArray())).toEqual(flat(lin.weight.toArray()).map((v) => Math.fround(v * 2)));
    expect(flat(lin.weight.toArray())).not.toEqual(flat(doubled.weight.toArray())); // the original is untouched
  });

  it("grad with respect to a model returns a model-shaped tree of gradients", () => {
    const lin = new nn.Linear(3, 2, { key, dtype: "float64" });
    const x = fx.tensor(new Float64Array([1, 2, 3, -1, 0.5, 4]), { shape: [2, 3] });
    const g = fx.grad((m: fx.nn.Linear) => m.forward(x).sum())(lin) as fx.nn.Linear;
    expect(g).toBeInstanceOf(nn.Linear);
    expect(g.inFeatures).toBe(3);
    // d/dW Σ (xWᵀ + b) = column sums of x for every output; d/db = N
    expect(g.weight.toArray()).toEqual([[0, 2.5, 7], [0, 2.5, 7]]);
    expect(g.bias!.toArray()).toEqual([2, 2]);
  });

  it("vmap of grad gives per-example gradients as a model with a batch axis", () => {
    const lin = new nn.Linear(3, 2, { key, dtype: "float64" });
    const x = fx.random.normal(fx.random.key(1), [5, 3], { dtype: "float64" });
    const lossAt = (m: fx.nn.Linear, xi: fx.Tensor) => m.forward(xi).square().sum();
    const per = fx.vmap((xi: fx.Tensor) => fx.grad(lossAt)(lin, xi))(x) as fx.nn.Linear;
    expect(per).toBeInstanceOf(nn.Linear);
    expect(per.weight.shape).toEqual([5, 2, 3]);
    const total = fx.grad(lossAt)(lin, x) as fx.nn.Linear;
    expectAllClose(flat(per.weight.sum(0).toArray()), flat(total.weight.toArray()), 1e-12);
    const one = fx.grad(lossAt)(lin, x.slice(2)) as fx.nn.Linear;
    expectAllClose(flat(per.bias!.slice(2).toArray()), flat(one.bias!.toArray()), 1e-12);
  });

  it("jit takes models as arguments and retraces for a new static config", () => {
    const f = fx.jit((m: fx.nn.Module, x: fx.Tensor) => m.forward(x));
    const a = new nn.Linear(3, 2, { key }), b = new nn.Linear(3, 2, { key: fx.random.key(3) });
    const x = fx.ones([4, 3]);
    expectAllClose(flat(f(a, x).toArray()), flat(a.forward(x).toArray()), 1e-6);
    expectAllClose(flat(f(b, x).toArray()), flat(b.forward(x).toArray()), 1e-6);
    expect(f.cacheSize).toBe(1);
    f(new nn.Linear(3, 2, { key, bias: false }), x);
    expect(f.cacheSize).toBe(2);
  });
});

describe("partition, combine, filters and counting", () => {
  it("splits trainable parameters from buffers and joins them back", () => {
    const net = smallNet();
    const [params, rest] = nn.partition(net, nn.isTrainable);
    const bn = (t: typeof net) => t.layers[1] as fx.nn.BatchNorm;
    expect(bn(params).runningMean).toBeNull();
    expect(bn(params).weight).toBeInstanceOf(fx.Tensor);
    expect(bn(rest).runningMean).toBeInstanceOf(fx.Tensor);
    expect(bn(rest).weight).toBeNull();
    expect(fx.tree.leaves(params).length + fx.tree.leaves(rest).length).toBe(fx.tree.leaves(net).length);
    const back = nn.combine(params, rest);
    expect(fx.tree.structure(back)).toBe(fx.tree.structure(net));
    expect(leavesOf(back)).toEqual(leavesOf(net));
  });

  it("counts parameters and buffers", () => {
    const net = smallNet();
    // Linear 3·4+4, BN 4+4, MLP (4·5+5)+(5·2+2), Linear 2·2
    expect(nn.countParams(net)).toBe(16 + 8 + 25 + 12 + 4);
    expect(nn.countParams(net, nn.isBuffer)).toBe(8);
    expect(nn.countParams(new nn.Linear(784, 10, { key }))).toBe(7850);
  });

  it("grad of the trainable part is shaped like it, and an optimizer step only touches it", () => {
    const net = smallNet();
    const [params, rest] = nn.partition(net, nn.isTrainable);
    const x = fx.random.normal(key, [8, 3], { dtype: "float64" });
    const loss = (p: typeof net) => nn.combine(p, rest).forward(x, { training: true, key }).square().mean();
    const grads = fx.grad(loss)(params) as typeof net;
    expect(fx.tree.structure(grads)).toBe(fx.tree.structure(params));
    const opt = fx.optim.sgd(0.1);
    const [updates] = opt.update(grads, opt.init(params), params);
    const next = nn.combine(fx.optim.applyUpdates(params, updates), rest);
    expect(leavesOf((next.layers[1] as fx.nn.BatchNorm).runningVar)).toEqual(leavesOf((net.layers[1] as fx.nn.BatchNorm).runningVar));
    expect(leavesOf((next.layers[0] as fx.nn.Linear).weight)).not.toEqual(leavesOf((net.layers[0] as fx.nn.Linear).weight));
  });

  it("filters see the path of each leaf", () => {
    const paths: string[] = [];
    nn.partition(smallNet(), (leaf, info) => (paths.push(info.path), true));
    expect(paths).toContain("layers[0].weight");
    expect(paths).toContain("layers[1].runningMean");
    expect(paths).toContain("layers[4].layers[1].bias");
  });

  it("combine rejects trees that do not line up", () => {
    const a = new nn.Linear(2, 2, { key }), b = new nn.Linear(2, 2, { key, bias: false });
    const [pa] = nn.partition(a, nn.isTrainable);
    expect(() => nn.combine(pa, new nn.Dropout(0.1) as unknown as fx.nn.Linear)).toThrow(/expected a Linear/);
    expect(nn.combine(b, a).bias).toBe(a.bias); // null in the first, so the second fills it
  });
});

describe("treeAt", () => {
  it("replaces a leaf, a whole layer, or applies a function, leaving the original alone", () => {
    const net = smallNet();
    const w = fx.zeros([4, 3], "float64");
    const a = nn.treeAt(net, (m) => (m.layers[0] as fx.nn.Linear).weight, w);
    expect((a.layers[0] as fx.nn.Linear).weight).toBe(w);
    expect((net.layers[0] as fx.nn.Linear).weight).not.toBe(w);
    expect((a.layers[0] as fx.nn.Linear).bias).toBe((net.layers[0] as fx.nn.Linear).bias);

    const drop = new nn.Dropout(0.9);
    const b = nn.treeAt(net, (m) => m.layers[3], drop);
    expect(b.layers[3]).toBe(drop);

    const c = nn.treeAt(net, (m) => (m.layers[0] as fx.nn.Linear).bias, (old: fx.Tensor) => old.mul(0));
    expect(flat((c.layers[0] as fx.nn.Linear).bias!.toArray()).map(Math.abs)).toEqual([0, 0, 0, 0]);
  });

  it("selects by position, not identity: a tensor shared by two fields is replaced in one", () => {
    const t = fx.ones([2]);
    const tree = { a: t, b: t };
    const out = nn.treeAt(tree, (s) => s.b, fx.zeros([2]));
    expect(out.a).toBe(t);
    expect(flat(out.b.toArray())).toEqual([0, 0]);
  });

  it("replaces several targets at once", () => {
    const lin = new nn.Linear(2, 2, { key });
    const out = nn.treeAt(lin, (m) => [m.weight, m.bias], [fx.zeros([2, 2]), fx.ones([2])]);
    expect(flat(out.weight.toArray())).toEqual([0, 0, 0, 0]);
    expect(flat(out.bias!.toArray())).toEqual([1, 1]);
  });

  it("refuses static fields with a clear error", () => {
    const lin = new nn.Linear(2, 2, { key });
    expect(() => nn.treeAt(lin, (m) => m.inFeatures, 3)).toThrow(/static fields/);
  });
});

describe("nn.call threads state", () => {
  it("returns the model unchanged in eval mode and with new statistics in training", () => {
    const net = smallNet();
    const x = fx.random.normal(key, [8, 3], { dtype: "float64" });
    const [, same] = nn.call(net, x);
    expect(same).toBe(net);
    const [y, next] = nn.call(net, x, { training: true, key: fx.random.key(5) });
    expect(y.shape).toEqual([8, 2]);
    const bn0 = net.layers[1] as fx.nn.BatchNorm, bn1 = next.layers[1] as fx.nn.BatchNorm;
    expect(flat(bn1.runningMean.toArray())).not.toEqual(flat(bn0.runningMean.toArray()));
    expect(next.layers[0]).toBe(net.layers[0]); // untouched layers are shared
  });

  it("works under grad with hasAux and under jit", () => {
    const net = smallNet();
    const x = fx.random.normal(key, [8, 3], { dtype: "float64" });
    const k = fx.random.key(9);
    const lossAndState = (m: typeof net) => {
      const [y, m2] = nn.call(m, x, { training: true, key: k });
      return [y.square().mean(), m2];
    };
    const [[, eagerNext]] = fx.valueAndGrad(lossAndState, { hasAux: true })(net) as [[fx.Tensor, typeof net], unknown];
    const jitted = fx.jit((m: typeof net) => fx.valueAndGrad(lossAndState, { hasAux: true })(m));
    const [[, jitNext]] = jitted(net) as [[fx.Tensor, typeof net], unknown];
    const eagerBn = eagerNext.layers[1] as fx.nn.BatchNorm, jitBn = jitNext.layers[1] as fx.nn.BatchNorm;
    expect(eagerBn).toBeInstanceOf(nn.BatchNorm);
    expectAllClose(flat(jitBn.runningVar.toArray()), flat(eagerBn.runningVar.toArray()), 1e-12);
    const direct = nn.call(net, x, { training: true, key: k })[1].layers[1] as fx.nn.BatchNorm;
    expectAllClose(flat(eagerBn.runningMean.toArray()), flat(direct.runningMean.toArray()), 1e-14);
  });
});
