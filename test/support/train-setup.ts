/**
 * A small but complete training setup for the fit tests: BatchNorm (buffers),
 * Dropout (per-step keys), Adam (optimizer state), a keyed data order, and
 * epochs that do not divide evenly into the steps a test stops at.
 */
import * as fx from "../../src/index.js";

const { nn, optim, losses } = fx;

export const EPOCHS = 3;
export const BATCH = 16;
/** 88 examples / 16 = 5 full batches per epoch (8 left over are dropped). */
export const EXAMPLES = 88;
export const TOTAL_STEPS = EPOCHS * Math.floor(EXAMPLES / BATCH);

export function data(): [fx.Tensor, fx.Tensor] {
  const [kx, kw] = fx.random.split(fx.random.key(123));
  const x = fx.random.normal(kx!, [EXAMPLES, 6]);
  const w = fx.random.normal(kw!, [6, 3]);
  const y = fx.argmax(fx.matmul(x, w), 1).astype("int32");
  return [x, y];
}

export function model(seed = 7): fx.nn.Module {
  const [k1, k2] = fx.random.split(fx.random.key(seed));
  return new nn.Sequential([
    new nn.Linear(6, 16, { key: k1! }), new nn.BatchNorm(16), nn.relu, new nn.Dropout(0.2),
    new nn.Linear(16, 3, { key: k2! }),
  ]);
}

export function optimizer() {
  return optim.adam(0.01);
}

export function options(extra: Partial<fx.train.FitOptions> = {}): fx.train.FitOptions {
  return {
    lossFn: losses.softmaxCrossEntropyWithIntegerLabels,
    epochs: EPOCHS,
    batchSize: BATCH,
    key: fx.random.key(99),
    progress: false,
    ...extra,
  };
}

/** A callback that stops training once `steps` steps are done. */
export function stopAfter(steps: number): fx.train.Callback {
  return {
    name: "stopAfter",
    onStepEnd(state) {
      if (state.step >= steps) state.stop = true;
    },
  };
}

/** The model's leaves as one byte string per leaf, for bitwise comparison. */
export function leafBytes(tree: unknown): string[] {
  return fx.tree.leaves(tree).map((l) => {
    const t = l as fx.Tensor;
    const d = t.data();
    return `${t.dtype}[${t.shape}]:${Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString("hex")}`;
  });
}
