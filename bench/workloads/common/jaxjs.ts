/**
 * jax-js peer helpers: loading it (only its wasm device works in Node) and
 * Adam written by hand, since its optax package is not on the registry.
 *
 * jax-js counts references: every function consumes its array arguments, so
 * an array used twice is passed as `a.ref` the first time.
 */
/**
 * The slice of jax-js's API these workloads use, typed here so the project
 * type-checks whether or not jax-js is installed (it is an optional peer).
 */
export interface JArray {
  readonly shape: number[];
  /** The same array with its reference count raised by one. */
  readonly ref: JArray;
  dispose(): void;
  add(other: JArray | number): JArray;
  sub(other: JArray | number): JArray;
  mul(other: JArray | number): JArray;
  div(other: JArray | number): JArray;
  reshape(shape: number[]): JArray;
  max(axis: number[]): JArray;
  sum(): JArray;
  mean(axis?: number | number[], opts?: { keepdims?: boolean }): JArray;
  transpose(perm?: number[]): JArray;
  slice(...index: number[]): JArray;
  data(): Promise<ArrayLike<number>>;
}
export type Params = Record<string, JArray>;
type Fn = (...args: never[]) => unknown;

export interface Jax {
  init(...devices: string[]): Promise<string[]>;
  defaultDevice(device: string): string;
  jit<F extends Fn>(f: F): F;
  valueAndGrad<A extends unknown[]>(f: (...args: A) => JArray): (...args: A) => [JArray, A[0]];
  blockUntilReady<T>(tree: T): Promise<T>;
  numpy: {
    int32: unknown;
    array(data: ArrayLike<number> | number, opts?: { dtype?: unknown }): JArray;
    zeros(shape: number[]): JArray;
    dot(a: JArray, b: JArray): JArray;
    square(a: JArray): JArray;
    sqrt(a: JArray): JArray;
    argmax(a: JArray, axis: number): JArray;
    matmul(a: JArray, b: JArray): JArray;
    split(a: JArray, sections: number, axis: number): JArray[];
    where(condition: JArray, x: JArray | number, y: JArray | number): JArray;
    tril(a: JArray, k?: number): JArray;
    ones(shape: number[], opts?: { dtype?: unknown }): JArray;
    bool: unknown;
  };
  nn: {
    relu(a: JArray): JArray;
    logSoftmax(a: JArray): JArray;
    oneHot(labels: JArray, classes: number): JArray;
    softmax(a: JArray, axis?: number): JArray;
    gelu(a: JArray, opts?: { approximate?: boolean }): JArray;
  };
  lax: { conv(x: JArray, w: JArray, strides: number[], padding: "VALID" | "SAME"): JArray };
  random: {
    key(seed: number): JArray;
    split(key: JArray, num: number): JArray;
    uniform(key: JArray, shape: number[], opts: { minval: number; maxval: number }): JArray;
  };
  tree: { ref<T>(tree: T): T; dispose(tree: unknown): void };
}

/** Imports jax-js (not a dependency: a missing package fails this peer only) and starts its wasm device. */
export async function loadJax(): Promise<Jax> {
  const specifier = "@jax-js/jax";
  const jax = (await import(specifier)) as Jax;
  const devices = await jax.init("wasm");
  if (!devices.includes("wasm")) throw new Error(`jax-js: the wasm device did not start (got ${devices.join(", ") || "none"})`);
  jax.defaultDevice("wasm");
  return jax;
}

/** PyTorch's default init: U(−1/√fanIn, 1/√fanIn) for weights and biases alike. */
export function torchUniform(jax: Jax, key: JArray, shape: number[], fanIn: number): JArray {
  const bound = 1 / Math.sqrt(fanIn);
  return jax.random.uniform(key, shape, { minval: -bound, maxval: bound });
}

const B1 = 0.9, B2 = 0.999, EPS = 1e-8;

/**
 * One Adam update of every leaf, traced inside the caller's `jit`:
 * m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p − lrₜ·m / (√(v·cₜ) + ε)
 * with lrₜ = lr/(1−β₁ᵗ) and cₜ = 1/(1−β₂ᵗ) passed in as scalars (so one trace serves every step).
 */
export function adamUpdate(jax: Jax, p: Params, g: Params, m: Params, v: Params, lrT: JArray, cT: JArray): [Params, Params, Params] {
  const np = jax.numpy;
  const p2: Params = {}, m2: Params = {}, v2: Params = {};
  for (const k of Object.keys(p)) {
    const gk = g[k]!;
    m2[k] = m[k]!.mul(B1).add(gk.ref.mul(1 - B1));
    v2[k] = v[k]!.mul(B2).add(np.square(gk).mul(1 - B2));
    const step = m2[k]!.ref.mul(lrT.ref).div(np.sqrt(v2[k]!.ref.mul(cT.ref)).add(EPS));
    p2[k] = p[k]!.sub(step);
  }
  lrT.dispose();
  cT.dispose();
  return [p2, m2, v2];
}

/** Zeros shaped like each leaf (Adam's initial moments); borrows `p`. */
export function zerosLike(jax: Jax, p: Params): Params {
  return Object.fromEntries(Object.entries(p).map(([k, a]) => [k, jax.numpy.zeros(a.shape)]));
}

/** The bias-correction scalars for step t (from 1), as arrays so the jitted step is traced once. */
export function adamScalars(jax: Jax, lr: number, t: number): [JArray, JArray] {
  return [jax.numpy.array(lr / (1 - B1 ** t)), jax.numpy.array(1 / (1 - B2 ** t))];
}

/** Softmax cross-entropy at integer labels, averaged over the batch. */
export function crossEntropy(jax: Jax, logits: JArray, labels: JArray, classes: number): JArray {
  const batch = labels.shape[0]!;
  return jax.nn.logSoftmax(logits).mul(jax.nn.oneHot(labels, classes)).sum().mul(-1 / batch);
}
