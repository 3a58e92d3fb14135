import { afterEach, describe, expect, it } from "vitest";
import * as fx from "../src/index.js";

const T = fx.tensor;
const a23 = () => fx.ones([2, 3]);
const a43 = () => fx.ones([4, 3]);
const v3 = () => fx.ones([3]);
const i32 = (xs: number[]) => T(xs, { dtype: "int32" });

type ErrorClass = new (...args: any[]) => Error;

/** [what, bad call, the error class, what the message must say (each a substring or pattern)] */
type BadCall = [string, () => unknown, ErrorClass, (string | RegExp)[]];

const shapes: BadCall[] = [
  ["add: shapes that do not broadcast", () => fx.add(a23(), fx.ones([4])), fx.ShapeError, ["add:", "[2, 3]", "[4]", "axis -1", "3 and 4"]],
  ["mul: 0 against 3 does not broadcast", () => fx.mul(fx.ones([0]), v3()), fx.ShapeError, ["mul:", "[0]", "[3]", "0 and 3"]],
  ["sub: rank-3 against rank-2 mismatch", () => fx.sub(fx.ones([2, 3, 4]), fx.ones([3, 5])), fx.ShapeError, ["sub:", "[2, 3, 4]", "[3, 5]", "axis -1"]],
  ["where: branches do not broadcast with the condition", () => fx.where(T([true, false]), v3(), 0), fx.ShapeError, ["where:", "[2]", "[3]"]],
  ["maximum: mismatch", () => fx.maximum(fx.ones([5]), fx.ones([2])), fx.ShapeError, ["max:", "[5]", "[2]"]],
  ["equal: mismatch", () => fx.equal(fx.ones([2, 2]), fx.ones([3])), fx.ShapeError, ["eq:", "[2, 2]", "[3]"]],
  ["matmul: inner sizes differ", () => fx.matmul(a23(), a43()), fx.ShapeError, ["matmul", "[2, 3]", "[4, 3]", "axis -1", "axis -2"]],
  ["matmul: batch axes do not broadcast", () => fx.matmul(fx.ones([2, 2, 3]), fx.ones([3, 3, 4])), fx.ShapeError, ["matmul", "[2, 2, 3]", "[3, 3, 4]", "batch"]],
  ["matmul: rank-0 operand", () => fx.matmul(fx.ones([]), a23()), fx.ShapeError, ["matmul", "[]", "[2, 3]", "rank"]],
  ["dot: vectors of different lengths", () => fx.dot(v3(), fx.ones([4])), fx.ShapeError, ["matmul", "[3]", "[4]"]],
  ["reshape: wrong element count", () => a23().reshape([4]), fx.ShapeError, ["reshape", "[2, 3]", "6 elements", "[4]"]],
  ["reshape: two holes", () => a23().reshape([-1, -1]), fx.ShapeError, ["reshape", "[-1, -1]", "one"]],
  ["reshape: hole that does not divide", () => a23().reshape([-1, 4]), fx.ShapeError, ["reshape", "[2, 3]", "[-1, 4]"]],
  ["reshape: negative size", () => a23().reshape([-2, 3]), fx.ShapeError, ["reshape", "-2", "[-2, 3]"]],
  ["reshape: fractional size", () => a23().reshape([1.5, 4]), fx.ShapeError, ["reshape", "1.5"]],
  ["squeeze: axis of size 2", () => a23().squeeze(0), fx.ShapeError, ["squeeze", "axis 0", "[2, 3]", "size 2"]],
  ["concatenate: sizes differ off the axis", () => fx.concatenate([a23(), fx.ones([2, 4])], 0), fx.ShapeError, ["concatenate", "[2, 4]", "[2, 3]", "axis 0"]],
  ["concatenate: ranks differ", () => fx.concatenate([a23(), v3()], 0), fx.ShapeError, ["concatenate", "rank 1", "[3]", "rank 2"]],
  ["concatenate: rank-0 tensors", () => fx.concatenate([fx.ones([]), fx.ones([])]), fx.ShapeError, ["concatenate", "rank-0"]],
  ["stack: shapes differ", () => fx.stack([v3(), fx.ones([4])]), fx.ShapeError, ["stack", "[4]", "[3]"]],
  ["split: not divisible", () => fx.split(v3(), 2), fx.ShapeError, ["split", "axis 0", "[3]", "2 equal parts"]],
  ["broadcastTo: incompatible target", () => a23().broadcastTo([3, 3]), fx.ShapeError, ["broadcastTo", "[2, 3]", "[3, 3]", "axis -2"]],
  ["broadcastTo: lower rank target", () => a23().broadcastTo([3]), fx.ShapeError, ["broadcastTo", "[2, 3]", "[3]"]],
  ["pad: wrong number of pairs", () => a23().pad([[1, 1]] as never), fx.ShapeError, ["pad", "1 (before, after) pairs", "rank 2", "[2, 3]"]],
  ["scatterAdd: updates do not fit the region", () => fx.scatterAdd(v3(), [0, 1], v3()), fx.ShapeError, ["scatterAdd", "[3]", "[2]", "axis 0"]],
  ["einsum: label sizes differ", () => fx.einsum("ij,jk->ik", a23(), a43()), fx.ShapeError, ["einsum", '"j"', "3", "4"]],
  ["einsum: subscripts do not match the rank", () => fx.einsum("ijk,jk->ik", a23(), a43()), fx.ShapeError, ["einsum", "[2, 3]", '"ijk"', "3 axes"]],
  ["tensor: ragged nested array", () => T([[1, 2], [3]]), fx.ShapeError, ["tensor", "ragged", "[1]", "length 1", "expected 2"]],
  ["tensor: scalars mixed with arrays", () => T([1, [2, 3]] as never), fx.ShapeError, ["tensor", "ragged", "[1]"]],
  ["tensor: shape option does not match the data", () => T([1, 2, 3], { shape: [2, 2] }), fx.ShapeError, ["tensor", "[2, 2]", "4 elements", "3"]],
  ["tensor: TypedArray of the wrong length", () => T(new Float32Array(5), { shape: [2, 3] }), fx.ShapeError, ["tensor", "[2, 3]", "6 elements", "5"]],
  ["vmap: mapped axes of different sizes", () => fx.vmap((x: fx.Tensor, y: fx.Tensor) => x.add(y))(fx.ones([3, 2]), fx.ones([4, 2])), fx.ShapeError, ["vmap", "[3, 2]", "[4, 2]", "axis 0"]],
  ["vmap: rank-0 argument", () => fx.vmap((x: fx.Tensor) => x)(fx.ones([])), fx.ShapeError, ["vmap", "argument 0", "rank-0"]],
];

const axesAndIndices: BadCall[] = [
  ["sum: axis out of range", () => a23().sum(2), fx.IndexError, ["sum", "axis 2", "rank 2", "-2..1"]],
  ["sum: negative axis out of range", () => a23().sum(-3), fx.IndexError, ["sum", "axis -3", "rank 2"]],
  ["sum: fractional axis", () => a23().sum(0.5), fx.IndexError, ["sum", "axis", "integer", "0.5"]],
  ["sum: repeated axis", () => a23().sum([1, -1]), fx.IndexError, ["sum", "repeated axis", "[1, -1]"]],
  ["mean: axis out of range", () => a23().mean(5), fx.IndexError, ["mean", "axis 5", "rank 2"]],
  ["max: axis out of range", () => a23().max(-4), fx.IndexError, ["max", "axis -4", "rank 2"]],
  ["logsumexp: axis out of range", () => fx.logsumexp(v3(), 1), fx.IndexError, ["logsumexp", "axis 1", "rank 1"]],
  ["var: axis out of range", () => fx.var(v3(), 2), fx.IndexError, ["var", "axis 2", "rank 1"]],
  ["softmax: axis out of range", () => fx.softmax(v3(), 1), fx.IndexError, ["softmax", "axis 1", "rank 1"]],
  ["argmax: axis out of range", () => a23().argmax(2), fx.IndexError, ["argmax", "axis 2", "rank 2"]],
  ["cumsum: axis out of range", () => fx.cumsum(v3(), 3), fx.IndexError, ["cumsum", "axis 3", "rank 1"]],
  ["flip: axis out of range", () => fx.flip(v3(), 1), fx.IndexError, ["flip", "axis 1", "rank 1"]],
  ["expandDims: axis out of range", () => a23().expandDims(4), fx.IndexError, ["expandDims", "axis 4", "rank 3"]],
  ["moveaxis: destination out of range", () => fx.moveaxis(v3(), 0, 2), fx.IndexError, ["moveaxis", "axis 2", "rank 1"]],
  ["concatenate: axis out of range", () => fx.concatenate([a23(), a23()], 2), fx.IndexError, ["concatenate", "axis 2", "rank 2"]],
  ["take: index past the end", () => fx.take(v3(), [3]), fx.IndexError, ["take", "index 3", "axis 0", "size 3"]],
  ["take: negative index past the start", () => fx.take(v3(), [-4]), fx.IndexError, ["take", "index -4", "size 3"]],
  ["take: non-integer index", () => fx.take(v3(), [1.5]), fx.IndexError, ["take", "1.5", "not an integer"]],
  ["take: axis out of range", () => fx.take(a23(), [0], 2), fx.IndexError, ["take", "axis 2", "rank 2"]],
  ["take: index out of range on axis 1", () => fx.take(a23(), i32([0, 3]), 1), fx.IndexError, ["take", "index 3", "axis 1", "size 3"]],
  ["take under jit: index out of range", () => fx.jit((x: fx.Tensor, i: fx.Tensor) => fx.take(x, i))(v3(), i32([5])), fx.IndexError, ["take", "index 5", "size 3"]],
  ["slice: integer index past the end", () => a23().slice(2), fx.IndexError, ["slice", "index 2", "axis 0", "size 2"]],
  ["slice: non-integer index", () => a23().slice(0.5), fx.IndexError, ["slice", "0.5", "not an integer"]],
  ["slice: zero step", () => a23().slice("::0"), fx.IndexError, ["slice", "step", "zero", "axis 0"]],
  ["slice: non-integer bound", () => a23().slice([0.5, 2]), fx.IndexError, ["slice", "0.5", "not an integer", "axis 0"]],
  ["slice: unparsable slice string", () => a23().slice("1:2:3:4"), fx.IndexError, ["slice", '"1:2:3:4"']],
  ["slice: letters in a slice string", () => a23().slice("a:b"), fx.IndexError, ["slice", '"a:b"', "not an integer"]],
  ["slice: too many indices", () => a23().slice(0, 0, 0), fx.IndexError, ["slice", "too many indices (3)", "[2, 3]"]],
  ["slice: two ellipses", () => a23().slice("...", "..."), fx.IndexError, ["slice", '"..."']],
  ["at: index past the end", () => v3().at(5).set(1), fx.IndexError, ["at", "index 5", "axis 0", "size 3"]],
  ["at: non-integer index", () => v3().at(1.2).add(1), fx.IndexError, ["at", "1.2", "not an integer"]],
  ["scatterAdd: index past the end", () => fx.scatterAdd(v3(), [7], 1), fx.IndexError, ["scatterAdd", "index 7", "size 3"]],
  ["vmap: inAxes out of range", () => fx.vmap((x: fx.Tensor) => x, { inAxes: 2 })(a23()), fx.IndexError, ["vmap", "axis 2", "rank 2"]],
];

const dtypes: BadCall[] = [
  ["sin of a bool tensor", () => fx.sin(T([true, false])), fx.DTypeError, ["sin", "bool", "[2]"]],
  ["exp of a bool tensor", () => T([true]).exp(), fx.DTypeError, ["exp", "bool"]],
  ["neg of a bool tensor", () => fx.neg(T([true])), fx.DTypeError, ["neg", "bool"]],
  ["sub of bool tensors", () => fx.sub(T([true]), T([false])), fx.DTypeError, ["sub", "bool"]],
  ["mod of bool tensors", () => fx.mod(T([true]), T([true])), fx.DTypeError, ["rem", "bool"]],
  ["take with float indices", () => fx.take(v3(), T([0, 1])), fx.DTypeError, ["take", "indices", "int32", "float32"]],
  ["at with a float index tensor", () => v3().at(T([0, 1])).set(1), fx.DTypeError, ["at", "indices", "float32"]],
  ["scatterAdd with float indices", () => fx.scatterAdd(v3(), T([0]), 1), fx.DTypeError, ["scatterAdd", "indices", "float32"]],
  ["tensor with an unknown dtype", () => T([1], { dtype: "float16" as never }), fx.DTypeError, ["tensor", '"float16"', "float32"]],
  ["zeros with an unknown dtype", () => fx.zeros([2], "int64" as never), fx.DTypeError, ['"int64"']],
  ["astype to an unknown dtype", () => v3().astype("complex64" as never), fx.DTypeError, ["astype", '"complex64"', "float32[3]"]],
  ["grad of an int input", () => fx.grad((x: fx.Tensor) => x.sum())(i32([1, 2])), fx.DTypeError, ["grad", "float", "int32[2]", "argument 0"]],
  ["grad of an int output", () => fx.grad((x: fx.Tensor) => x.sum().astype("int32"))(v3()), fx.DTypeError, ["grad", "float scalar", "int32"]],
];

const values: BadCall[] = [
  ["max of an empty tensor", () => fx.max(fx.zeros([0])), fx.ValueError, ["max", "empty", "[0]"]],
  ["min over an empty axis", () => fx.min(fx.zeros([2, 0]), 1), fx.ValueError, ["min", "empty", "[2, 0]", "[1]"]],
  ["argmax of an empty tensor", () => fx.argmax(fx.zeros([0])), fx.ValueError, ["argmax", "empty", "[0]"]],
  ["transpose: not a permutation", () => a23().transpose([0, 0]), fx.ValueError, ["transpose", "[0, 0]", "permutation", "[2, 3]"]],
  ["transpose: too few axes", () => a23().transpose([0]), fx.ValueError, ["transpose", "[0]", "permutation", "[2, 3]"]],
  ["pad: negative width", () => a23().pad(-1), fx.ValueError, ["pad", "non-negative", "axis 0"]],
  ["tile: negative reps", () => fx.tile(v3(), -1), fx.ValueError, ["tile", "reps", "[-1]", "[3]"]],
  ["repeat: negative count", () => fx.repeat(v3(), -1), fx.ValueError, ["repeat", "-1"]],
  ["zeros: negative size", () => fx.zeros([-1]), fx.ValueError, ["shape", "[-1]"]],
  ["zeros: fractional size", () => fx.zeros([1.5]), fx.ValueError, ["shape", "[1.5]"]],
  ["tensor: string element", () => T(["a"] as never), fx.ValueError, ["tensor", "[0]", "string"]],
  ["item of a 3-element tensor", () => v3().item(), fx.ValueError, ["item", "[3]", "3 elements"]],
  ["arange with step 0", () => fx.arange(0, 5, 0), fx.ValueError, ["arange", "step", "0"]],
  ["linspace with a negative count", () => fx.linspace(0, 1, -1), fx.ValueError, ["linspace", "-1"]],
  ["concatenate of nothing", () => fx.concatenate([], 0), fx.ValueError, ["concatenate", "non-empty"]],
  ["einsum with too few operands", () => fx.einsum("ij,jk->ik", a23()), fx.ValueError, ["einsum", "2 operands", "1"]],
  ["einsum output label missing from inputs", () => fx.einsum("ij->z", a23()), fx.ValueError, ["einsum", '"z"']],
  ["tree of a Map", () => fx.tree.leaves(new Map() as never), fx.ValueError, ["pytree", "Map"]],
  ["tree.map of different structures", () => fx.tree.map((a: unknown) => a, [1, 2], [1]), fx.ValueError, ["tree.map", "[*]", "[*, *]"]],
  ["setBackend with an unknown name", () => fx.setBackend("gpu"), fx.ValueError, ["setBackend", '"gpu"', "reference"]],
  ["grad: argnums out of range", () => fx.grad((x: fx.Tensor) => x.sum(), { argnums: 2 })(v3()), fx.ValueError, ["grad", "argnums 2", "1 argument"]],
  ["vjp: cotangent of the wrong shape", () => fx.vjp((x: fx.Tensor) => x.mul(2), v3())[1](fx.ones([4])), fx.ValueError, ["vjp", "[4]", "[3]"]],
  ["jvp: tangent of the wrong shape", () => fx.jvp((x: fx.Tensor) => x, [v3()], [fx.ones([4])]), fx.ValueError, ["jvp", "tangent 0", "[4]", "[3]"]],
  ["jvp: missing tangents", () => fx.jvp((x: fx.Tensor) => x, [v3()], []), fx.ValueError, ["jvp", "0 tangent", "1 primal"]],
  ["vmap: inAxes of the wrong length", () => fx.vmap((x: fx.Tensor) => x, { inAxes: [0, 0] })(v3()), fx.ValueError, ["vmap", "inAxes", "2 entries", "1 argument"]],
  ["vmap: nothing mapped", () => fx.vmap((x: fx.Tensor) => x, { inAxes: null })(v3()), fx.ValueError, ["vmap", "no argument is mapped"]],
  ["jit: a tensor as a static argument", () => fx.jit((x: fx.Tensor, _n: unknown) => x, { staticArgnums: [1] })(T(1), T(2)), fx.ValueError, ["jit", "static argument 1", "tensor"]],
  ["jit: a string argument not marked static", () => fx.jit((x: unknown) => x)("s" as never), fx.ValueError, ["jit", "argument 0", "staticArgnums: [0]"]],
];

const transforms: BadCall[] = [
  ["grad of a non-scalar function", () => fx.grad((x: fx.Tensor) => x.mul(2))(v3()), fx.TransformError, ["grad", "scalar", "[3]", "sum"]],
  ["grad of a function returning two leaves", () => fx.grad((x: fx.Tensor) => [x.sum(), x.sum()])(v3()), fx.TransformError, ["grad", "single scalar", "2 leaves"]],
  ["grad with hasAux but no aux", () => fx.grad((x: fx.Tensor) => x.sum(), { hasAux: true })(v3()), fx.TransformError, ["grad", "hasAux", "[value, aux]"]],
  ["vmap: reading a batched value", () => fx.vmap((x: fx.Tensor) => x.item())(v3()), fx.TransformError, ["vmap", "batched", "3 different examples"]],
  ["jit: item() on a traced value", () => fx.jit((x: fx.Tensor) => (x.item() > 0 ? x : x.neg()))(T(1)), fx.ConcretizationError, ["jit", "float32[]", "staticArgnums", "fx.where"]],
  ["jit: toArray() on a traced value", () => fx.jit((x: fx.Tensor) => x.toArray())(fx.ones([2])), fx.ConcretizationError, ["jit", "float32[2]"]],
  ["valueAndGrad of a function returning a matrix", () => fx.valueAndGrad((x: fx.Tensor) => fx.outer(x, x))(v3()), fx.TransformError, ["grad", "scalar", "[3, 3]"]],
  ["customVjp: bwd returns the wrong number of cotangents", () => fx.grad(fx.customVjp((x: fx.Tensor) => x.sum(), { fwd: (x: fx.Tensor) => [x.sum(), x], bwd: () => [] }))(v3()), fx.TransformError, ["customVjp", "bwd", "one cotangent per argument (1)", "got 0"]],
  [
    "a grad tracer used after grad returned",
    () => {
      let leak: fx.Tensor | null = null;
      fx.grad((x: fx.Tensor) => ((leak = x), x.sum()))(v3());
      return leak!.add(1);
    },
    fx.TransformError,
    ["add", "grad transform", "already returned", "escaped"],
  ],
  [
    "a jit tracer used after jit returned",
    () => {
      let leak: fx.Tensor | null = null;
      fx.jit((x: fx.Tensor) => ((leak = x), x))(v3());
      return fx.mul(leak!, 2);
    },
    fx.TransformError,
    ["mul", "jit transform", "already returned"],
  ],
];

const disposed: BadCall[] = [
  ["arithmetic on a disposed tensor", () => { const t = fx.ones([2]) as fx.ConcreteTensor; t.dispose(); return t.add(1); }, fx.DisposedError, ["disposed", "float32", "[2]"]],
  ["reading a disposed tensor", () => { const t = fx.zeros([2, 2], "int32") as fx.ConcreteTensor; t.dispose(); return t.toArray(); }, fx.DisposedError, ["disposed", "int32", "[2, 2]"]],
  ["grad at a disposed tensor", () => { const t = fx.ones([3]) as fx.ConcreteTensor; t.dispose(); return fx.grad((x: fx.Tensor) => x.sum())(t); }, fx.DisposedError, ["disposed", "[3]"]],
];

const all = [...shapes, ...axesAndIndices, ...dtypes, ...values, ...transforms, ...disposed];

function check([, call, cls, says]: BadCall): void {
  let caught: unknown = null;
  try {
    call();
  } catch (e) {
    caught = e;
  }
  expect(caught, "the call did not throw").not.toBeNull();
  expect(caught).toBeInstanceOf(cls);
  expect(caught).toBeInstanceOf(fx.FluxionError);
  const msg = (caught as Error).message;
  for (const s of says) {
    if (typeof s === "string") expect(msg).toContain(s);
    else expect(msg).toMatch(s);
  }
}

describe("bad calls throw typed errors that say what was wrong", () => {
  it("covers at least 60 bad calls", () => {
    expect(all.length).toBeGreaterThanOrEqual(60);
  });
  for (const [group, calls] of Object.entries({ shapes, axesAndIndices, dtypes, values, transforms, disposed })) {
    describe(group, () => {
      for (const c of calls) it(c[0], () => check(c));
    });
  }
  it("error classes are told apart by instanceof and carry their name", () => {
    const e = new fx.ConcretizationError("x");
    expect(e).toBeInstanceOf(fx.TransformError);
    expect(e.name).toBe("ConcretizationError");
    expect(new fx.ShapeError("x")).not.toBeInstanceOf(fx.DTypeError);
  });
});

describe("config.debugNans", () => {
  afterEach(() => {
    fx.config.debugNans = false;
  });
  const here = /errors\.test\.ts:\d+/;

  it("is off by default: NaN flows through", () => {
    expect(fx.config.debugNans).toBe(false);
    expect(Number.isNaN(fx.log(-1).item())).toBe(true);
  });

  it("throws at the first NaN of the forward pass, naming the primitive and the call site", () => {
    fx.config.debugNans = true;
    let err: Error | null = null;
    try {
      fx.log(T([1, -1]));
    } catch (e) {
      err = e as Error;
    }
    expect(err).toBeInstanceOf(fx.NanError);
    expect(err!.message).toContain("log(float32[2])");
    expect(err!.message).toContain("NaN at flat index 1");
    expect(err!.message).toContain("forward pass");
    expect(err!.message).toMatch(here);
  });

  it("throws for an Infinity (division by zero) inside jit", () => {
    fx.config.debugNans = true;
    const f = fx.jit((x: fx.Tensor) => x.div(0));
    expect(() => f(T(1))).toThrow(fx.NanError);
    expect(() => f(T(1))).toThrow(/div\(float32\[\], float32\[\]\) produced Infinity/);
  });

  it("throws in the backward pass, naming the VJP and where the op was called", () => {
    fx.config.debugNans = true;
    // sqrt(0) = 0 is fine; its derivative 1/(2·sqrt(0)) is not.
    const f = (x: fx.Tensor) => x.sqrt();
    let err: Error | null = null;
    try {
      fx.grad(f)(0);
    } catch (e) {
      err = e as Error;
    }
    expect(err).toBeInstanceOf(fx.NanError);
    expect(err!.message).toContain("backward pass (VJP of sqrt");
    expect(err!.message).toContain("Infinity");
    // Both the user's sqrt call and the grad call are in this file.
    expect(err!.message.match(new RegExp(here.source, "g"))!.length).toBeGreaterThanOrEqual(2);
  });

  it("lets finite computations through unchanged", () => {
    fx.config.debugNans = true;
    expect(fx.grad((x: fx.Tensor) => x.mul(x).sum())(T([1, 2])).toArray()).toEqual([2, 4]);
  });
});
