/**
 * The names the API contract (docs/API.md, whose floor is the project's
 * contract page) fixes exist under exactly those names, with the shape the
 * contract gives them: functions are callable, layers and datasets are
 * constructible, results come back as the documented tuples and records.
 * The behaviour behind each name is tested in its own file; this one fails
 * when a name is renamed, dropped or changes kind.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { buildProgram } from "../src/cli/main.js";

type Kind = "function" | "class" | "namespace";

/** Resolves a dotted path such as "nn.init.heNormal" from the package root. */
function resolve(path: string): unknown {
  let v: unknown = fx;
  for (const part of path.split(".")) {
    if (v === null || (typeof v !== "object" && typeof v !== "function")) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

function kindOf(v: unknown): Kind | "missing" | "other" {
  if (v === undefined) return "missing";
  if (typeof v === "function") return /^class[\s{]/.test(Function.prototype.toString.call(v)) ? "class" : "function";
  if (typeof v === "object" && v !== null) return "namespace";
  return "other";
}

const fns = (prefix: string, names: string) => names.trim().split(/\s+/).map((n): [string, Kind] => [prefix + n, "function"]);
const classes = (prefix: string, names: string) => names.trim().split(/\s+/).map((n): [string, Kind] => [prefix + n, "class"]);

/** Every name the contract fixes, section by section. */
const CONTRACT: [string, Kind][] = [
  // 1. Tensors
  ...fns("", "tensor zeros ones full arange linspace eye zerosLike onesLike"),
  ["Tensor", "class"],
  // 2. Operations
  ...fns("", `add sub mul div pow neg exp log log1p expm1 sqrt rsqrt square abs sign sin cos tan tanh sigmoid relu
    maximum minimum clip where floor ceil round equal notEqual less lessEqual greater greaterEqual logicalAnd logicalOr
    logicalNot isNan isFinite`),
  ...fns("", "sum mean max min prod argmax argmin var std logsumexp all any cumsum"),
  ...fns("", "reshape transpose squeeze expandDims broadcastTo concatenate stack split flatten flip pad tile repeat"),
  ...fns("", "take scatterAdd matmul dot outer einsum softmax logSoftmax"),
  ["linalg", "namespace"],
  ...fns("linalg.", "inv solve det cholesky qr svd eigh norm"),
  // 3. Random numbers
  ["random", "namespace"],
  ...fns("random.", "key split foldIn uniform normal truncatedNormal bernoulli categorical randint permutation"),
  // 4. Transforms
  ["tree", "namespace"],
  ...fns("tree.", "map leaves flatten unflatten structure"),
  ...fns("", "grad valueAndGrad vjp jvp jacfwd jacrev hessian vmap jit stopGradient customVjp checkpoint"),
  // 5. Neural networks
  ["nn", "namespace"],
  ...classes("nn.", `Module Linear Conv1d Conv2d MaxPool2d AvgPool2d BatchNorm LayerNorm Dropout Embedding RNN LSTM GRU
    MultiHeadAttention TransformerBlock GraphConv Sequential MLP`),
  ...fns("nn.", "relu leakyRelu gelu sigmoid tanh softplus elu silu partition combine isTrainable"),
  ["nn.init", "namespace"],
  ...fns("nn.init.", "glorotUniform heNormal normal zeros"),
  // 6. Losses
  ["losses", "namespace"],
  ...fns("losses.", `mse mae huber binaryCrossEntropy sigmoidBinaryCrossEntropy softmaxCrossEntropy
    softmaxCrossEntropyWithIntegerLabels nll klDivergence hinge`),
  // 7. Optimizers
  ["optim", "namespace"],
  ...fns("optim.", "applyUpdates sgd adam adamw rmsprop adagrad chain clipByGlobalNorm addDecayedWeights"),
  ["optim.schedules", "namespace"],
  ...fns("optim.schedules.", "constant exponentialDecay cosineDecay warmupCosineDecay"),
  // 8. Training
  ["train", "namespace"],
  ["train.fit", "function"],
  ["metrics", "namespace"],
  ...fns("metrics.", "accuracy precision recall f1 confusionMatrix rocAuc"),
  // 9. Data
  ["data", "namespace"],
  ["data.Dataset", "class"],
  ...fns("data.", "trainTestSplit oneHot standardize loadIdx mnist fashionMnist loadCsv loadNpy"),
  // 10. Files
  ["io", "namespace"],
  ...fns("io.", "saveSafetensors loadSafetensors loadInto saveNpy loadNpy"),
];

/** Tensor methods the contract names (ops that read naturally as methods, readback, updates). */
const METHODS = `add sub mul div pow neg exp log log1p expm1 sqrt rsqrt square abs sign sin cos tan tanh sigmoid relu
  maximum minimum clip floor ceil round equal notEqual less lessEqual greater greaterEqual logicalAnd logicalOr
  logicalNot isNan isFinite sum mean max min prod argmax argmin var std logsumexp all any cumsum reshape transpose
  squeeze expandDims broadcastTo flatten flip pad tile repeat take matmul dot softmax logSoftmax
  toArray item data toArrayAsync dataAsync astype toString at`.trim().split(/\s+/);

describe("API contract: names", () => {
  it.each(CONTRACT)("fx.%s is a %s", (path, kind) => {
    expect(kindOf(resolve(path))).toBe(kind);
  });

  it.each(METHODS)("tensors have the method .%s()", (name) => {
    const t = fx.tensor([[1, 2], [3, 4]]) as unknown as Record<string, unknown>;
    expect(typeof t[name]).toBe("function");
  });

  it("tensor properties shape, dtype, ndim, size and T", () => {
    const t = fx.tensor([[1, 2, 3], [4, 5, 6]]);
    expect([t.shape, t.dtype, t.ndim, t.size]).toEqual([[2, 3], "float32", 2, 6]);
    expect(t.T.shape).toEqual([3, 2]);
    expect(fx.tensor([1, 2, 3]).at(1).set(9).toArray()).toEqual([1, 9, 3]);
  });
});

describe("API contract: result shapes", () => {
  it("random.split defaults to two keys, destructurable", () => {
    const keys = fx.random.split(fx.random.key(0));
    expect(Array.isArray(keys)).toBe(true);
    expect(keys).toHaveLength(2);
    expect(fx.random.split(fx.random.key(0), 3)).toHaveLength(3);
  });

  it("valueAndGrad gives [value, grads], and [[value, aux], grads] with hasAux", () => {
    const f = (x: fx.Tensor) => x.square().sum();
    const [v, g] = fx.valueAndGrad(f)(fx.tensor([1, 2]));
    expect(v.item()).toBe(5);
    expect(g.toArray()).toEqual([2, 4]);
    const h = (x: fx.Tensor): [fx.Tensor, { doubled: fx.Tensor }] => [x.sum(), { doubled: x.mul(2) }];
    const [[v2, aux], g2] = fx.valueAndGrad(h, { hasAux: true })(fx.tensor([1, 2]));
    expect([v2.item(), aux.doubled.toArray(), g2.toArray()]).toEqual([3, [2, 4], [1, 1]]);
  });

  it("vjp gives [out, vjpFn] with one cotangent per primal; jvp gives [out, tangentOut]", () => {
    const [out, vjpFn] = fx.vjp((a: fx.Tensor, b: fx.Tensor) => a.mul(b), fx.tensor([2]), fx.tensor([3]));
    expect(out.toArray()).toEqual([6]);
    const cts = vjpFn(fx.tensor([1]));
    expect(cts.map((c: fx.Tensor) => c.toArray())).toEqual([[3], [2]]);
    const [y, dy] = fx.jvp((x: fx.Tensor) => x.square(), [fx.tensor(3)], [fx.tensor(1)]);
    expect([y.item(), dy.item()]).toEqual([9, 6]);
  });

  it("optimizers are { init, update } with update returning [updates, state]; a schedule is a learning rate", () => {
    const params = { w: fx.tensor([1, 2]) };
    for (const opt of [fx.optim.sgd(0.5, { momentum: 0.9, nesterov: true }), fx.optim.adam(fx.optim.schedules.constant(0.1))]) {
      const state = opt.init(params);
      const [updates, next] = opt.update({ w: fx.tensor([1, 1]) }, state, params);
      expect(next).toBeDefined();
      const moved = fx.optim.applyUpdates(params, updates).w.toArray() as number[];
      expect(moved[0]).toBeLessThan(1);
      expect(moved[1]).toBeLessThan(2);
    }
  });

  it("losses take (pred, target, { reduction })", () => {
    const pred = fx.tensor([1, 2, 3]), target = fx.tensor([1, 1, 1]);
    expect(fx.losses.mse(pred, target, { reduction: "none" }).toArray()).toEqual([0, 1, 4]);
    expect(fx.losses.mse(pred, target, { reduction: "sum" }).item()).toBe(5);
    expect(fx.losses.mse(pred, target).item()).toBeCloseTo(5 / 3, 6);
  });

  it("layers construct with the contract's options and run forward", () => {
    const key = fx.random.key(0);
    const lin = new fx.nn.Linear(3, 2, { key, bias: false });
    expect(lin.bias).toBeNull();
    expect(lin.forward(fx.ones([4, 3])).shape).toEqual([4, 2]);
    const conv = new fx.nn.Conv2d(1, 2, 3, { stride: 1, padding: 1, dilation: 1, key });
    expect(conv.forward(fx.ones([1, 1, 5, 5])).shape).toEqual([1, 2, 5, 5]);
    const mha = new fx.nn.MultiHeadAttention(4, 2, { key });
    const q = fx.ones([1, 3, 4]);
    expect(mha.forward(q, undefined, undefined, { mask: fx.nn.masks.causal(3) }).shape).toEqual([1, 3, 4]);
    const mlp = new fx.nn.MLP({ inSize: 3, outSize: 2, widths: [5], activation: fx.nn.relu, key });
    const seq = new fx.nn.Sequential([mlp, fx.nn.tanh]);
    expect(seq.forward(fx.ones([2, 3])).shape).toEqual([2, 2]);
  });

  it("nn.partition(model, nn.isTrainable) and nn.combine(a, b) round-trip a model with buffers", () => {
    const bn = new fx.nn.BatchNorm(2);
    const [trainable, rest] = fx.nn.partition(bn, fx.nn.isTrainable);
    expect(fx.tree.leaves(trainable).length).toBeGreaterThan(0);
    expect(fx.tree.leaves(rest).length).toBeGreaterThan(0);
    const back = fx.nn.combine(trainable, rest);
    expect(fx.tree.leaves(back).length).toBe(fx.tree.leaves(bn).length);
  });

  it("data.Dataset shuffles with a key, batches, maps and iterates", () => {
    const ds = new fx.data.Dataset([fx.arange(6), fx.arange(6).mul(10)] as [fx.Tensor, fx.Tensor]);
    const batches = [...ds.shuffle(fx.random.key(1)).batch(4).map(([x, y]) => y.sub(x.mul(10)))];
    expect(batches.map((b) => b.shape)).toEqual([[4], [2]]);
    for (const b of batches) expect((b.toArray() as number[]).every((v) => v === 0)).toBe(true);
  });

  const dir = mkdtempSync(join(tmpdir(), "fluxion-contract-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("io.loadSafetensors returns { tensors, metadata }; io.loadInto fills a model", () => {
    const model = new fx.nn.Linear(2, 1, { key: fx.random.key(2) });
    const path = join(dir, "m.safetensors");
    fx.io.saveSafetensors(path, model, { note: "contract" });
    const { tensors, metadata } = fx.io.loadSafetensors(path);
    expect(Object.keys(tensors).sort()).toEqual(["bias", "weight"]);
    expect(metadata.note).toBe("contract");
    const fresh = fx.io.loadInto(new fx.nn.Linear(2, 1, { key: fx.random.key(3) }), path);
    expect(fresh.weight.toArray()).toEqual(model.weight.toArray());
  });
});

describe("API contract: internals stay out of the package root", () => {
  it("does not export helpers of the layers below it", () => {
    for (const name of ["unifyPair", "maxShift", "checkIndexInRange", "fmtShape", "scanPrimitive", "condPrimitive", "whilePrimitive"]) {
      expect(name in fx, name).toBe(false);
    }
    // The documented neighbours stay.
    for (const name of ["unify", "asTensor", "logsumexp", "scan", "cond", "whileLoop", "ShapeError", "DataNotFoundError"]) expect(name in fx, name).toBe(true);
  });
});

describe("API contract: the fluxion command", () => {
  const program = buildProgram();
  const options = (name: string) => program.commands.find((c) => c.name() === name)?.options.map((o) => o.long) ?? [];

  it("has train, eval, predict, info and bench with the contract's options", () => {
    expect(program.commands.map((c) => c.name())).toEqual(expect.arrayContaining(["train", "eval", "predict", "info", "bench"]));
    expect(options("bench")).toEqual(expect.arrayContaining(["--json", "--vs"]));
    expect(options("train")).toEqual(expect.arrayContaining(
      ["--dataset", "--model", "--epochs", "--batch-size", "--lr", "--seed", "--threads", "--out"]));
    expect(options("eval")).toEqual(expect.arrayContaining(["--model-dir", "--dataset"]));
    expect(options("predict")).toEqual(expect.arrayContaining(["--model-dir"]));
  });
});
