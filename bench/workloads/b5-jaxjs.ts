/**
 * B5 in jax-js (wasm device): the transformer block of bench/b5-transformer.ts
 * — pre-LayerNorm (ε 1e-5), causal 4-head attention written as matmul + mask
 * + softmax + matmul (jax-js's dotProductAttention fails on Node 20), exact
 * GELU MLP, mean-squared error, Adam 1e-3 by hand — forward, backward and
 * update in one `jit`. It starts from the shared starting point (Fluxion's
 * weights, input and target), so its losses can be compared with Fluxion's.
 */
import { adamScalars, adamUpdate, loadJax, zerosLike, type Jax, type JArray, type Params } from "./common/jaxjs.js";
import type { B5Shape, B5Start } from "./b5-start.js";

/** A masked score: as Fluxion's attention, a large finite negative rather than −∞. */
const MASKED = -1e30;
const LN_EPS = 1e-5;

/** The jitted step's loss function; every jax-js function consumes its array arguments (see common/jaxjs.ts). */
function blockLoss(jax: Jax, s: B5Shape) {
  const { numpy: np, nn } = jax;
  const { batch: B, seq: T, width: E, heads: H } = s;
  const D = E / H;
  const layerNorm = (t: JArray, g: JArray, b: JArray) => {
    const centered = t.ref.sub(t.mean(-1, { keepdims: true }));
    const variance = np.square(centered.ref).mean(-1, { keepdims: true });
    return centered.div(np.sqrt(variance.add(LN_EPS))).mul(g).add(b);
  };
  const dense = (t: JArray, w: JArray, b: JArray) => np.matmul(t, w).add(b);
  const splitHeads = (t: JArray) => t.reshape([B, T, H, D]).transpose([0, 2, 1, 3]);
  return (p: Params, x: JArray, y: JArray): JArray => {
    const qkv = dense(layerNorm(x.ref, p.ln1g!, p.ln1b!), p.wqkv!, p.bqkv!);
    const [q, k, v] = np.split(qkv, 3, -1).map(splitHeads) as [JArray, JArray, JArray];
    const scores = np.matmul(q.mul(1 / Math.sqrt(D)), k.transpose([0, 1, 3, 2]));
    const causal = np.tril(np.ones([T, T], { dtype: np.bool })); // true on and below the diagonal
    const weights = nn.softmax(np.where(causal, scores, MASKED), -1);
    const attended = np.matmul(weights, v).transpose([0, 2, 1, 3]).reshape([B, T, E]);
    const h = x.add(dense(attended, p.wo!, p.bo!));
    const u = dense(layerNorm(h.ref, p.ln2g!, p.ln2b!), p.w1!, p.b1!);
    const out = h.add(dense(nn.gelu(u, { approximate: false }), p.w2!, p.b2!));
    // The mean over rows of per-row means: one float32 sum over all 1M squares, in order (as jax-js
    // sums), rounds the loss by ~5e-4 relative, which would hide the check against Fluxion's loss.
    return np.square(out.sub(y)).mean(-1).mean();
  };
}

/**
 * Loads jax-js and returns one training step of B5 from `start`: each call
 * runs forward + backward + Adam, waits for the new weights, and returns the
 * loss before the update.
 */
export async function b5JaxjsStep(start: B5Start, s: B5Shape): Promise<() => Promise<number>> {
  const jax = await loadJax();
  const np = jax.numpy;
  const upload = (a: { data: Float32Array; shape: number[] }) => np.array(a.data).reshape(a.shape);
  let params: Params = Object.fromEntries(Object.entries(start.params).map(([name, a]) => [name, upload(a)]));
  let m = zerosLike(jax, params), v = zerosLike(jax, params);
  const x = upload(start.x), y = upload(start.y);
  const loss = blockLoss(jax, s);
  const step = jax.jit((p: Params, m: Params, v: Params, x: JArray, y: JArray, lrT: JArray, cT: JArray) => {
    const [lossValue, grads] = jax.valueAndGrad(loss)(jax.tree.ref(p), x, y);
    return [...adamUpdate(jax, p, grads as Params, m, v, lrT, cT), lossValue] as const;
  });
  let t = 0;
  return async () => {
    const [lrT, cT] = adamScalars(jax, 1e-3, ++t);
    let lossValue: JArray;
    [params, m, v, lossValue] = step(params, m, v, x.ref, y.ref, lrT, cT);
    await jax.blockUntilReady(params); // the whole step, not only the loss, as the other peers
    return (await lossValue.data())[0]!; // data() consumes the array
  };
}
