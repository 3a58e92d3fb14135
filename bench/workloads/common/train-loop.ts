/**
 * The training loop every JavaScript peer shares, so that batching, warm-up,
 * timing windows, the time budget and evaluation are identical and only the
 * step differs. bench/torch_training.py follows the same plan.
 */
import { epochOrder, gatherBatch, type Dataset, type Split } from "./fashion-mnist.js";
import type { WorkloadOptions } from "./types.js";

/** One peer's model and optimizer behind three calls. */
export interface Trainer {
  /** One optimizer step on a batch (x: batch × 784 in [0, 1], y: labels). */
  step(x: Float32Array, y: Int32Array): void | Promise<void>;
  /** Waits until all queued work is done (a no-op for synchronous peers). */
  sync(): void | Promise<void>;
  /** Predicted classes of n examples (full runs only). */
  predict?(x: Float32Array, n: number): Int32Array | Promise<Int32Array>;
}

export interface LoopResult {
  /** Samples per second of each timing window. */
  samples: number[];
  /** Samples per CPU-second (process.cpuUsage: all threads) of each window. */
  cpuSamples: number[];
  notes: string[];
  accuracy?: { epoch: number; value: number }[];
  rssBeforeTrainingMiB: number;
}

export const EPOCHS_IN_FULL_RUN = 3;
const ACCURACY_AFTER = [1, 3];
const WINDOWS_PER_EPOCH = 4;
const MIN_TIMED_STEPS = 2;

async function accuracy(trainer: Trainer, test: Split): Promise<number> {
  const chunk = 1000;
  let correct = 0;
  for (let start = 0; start < test.n; start += chunk) {
    const n = Math.min(chunk, test.n - start);
    const predicted = await trainer.predict!(test.images.subarray(start * 784, (start + n) * 784), n);
    for (let i = 0; i < n; i++) if (predicted[i] === test.labels[start + i]) correct++;
  }
  return correct / test.n;
}

function firstExamples(split: Split, n: number): Split {
  const m = Math.min(n, split.n);
  return { images: split.images.subarray(0, m * 784), labels: split.labels.subarray(0, m), n: m };
}

/** Splits `steps` into `windows` nearly equal positive parts. */
export function windowSizes(steps: number, windows: number): number[] {
  const w = Math.max(1, Math.min(windows, steps));
  return Array.from({ length: w }, (_, i) => Math.round(((i + 1) * steps) / w) - Math.round((i * steps) / w));
}

/**
 * Warm-up steps (untimed), then timed steps in windows, one samples/s figure
 * per window. In full mode (B2) the timed part is three epochs of
 * ⌊60000/batch⌋ steps, four windows each, with test accuracy after epochs 1
 * and 3. The last warm-up step's time decides whether the plan fits
 * opts.budgetSeconds; if not, fewer steps are timed and a note says so.
 */
export async function runTraining(trainer: Trainer, fullData: Dataset, batch: number, opts: WorkloadOptions): Promise<LoopResult> {
  const rssBeforeTrainingMiB = process.memoryUsage().rss / 2 ** 20;
  const notes = [`data: ${fullData.source === "fashion-mnist" ? "Fashion-MNIST" : "random (Fashion-MNIST not installed)"}`];
  const data = opts.trainExamples ? { ...fullData, train: firstExamples(fullData.train, opts.trainExamples) } : fullData;
  if (opts.trainExamples) notes.push(`trained on the first ${data.train.n} training examples only`);
  const stepsPerEpoch = Math.floor(data.train.n / batch);
  let order = epochOrder(data.train.n, 0);
  let lastStepSeconds = Infinity, warmupSeconds = 0, warmupSteps = 0;
  while (warmupSteps < Math.max(1, opts.warmup)) {
    // A peer so slow that warm-up alone eats half the budget stops after two steps (compile, then
    // steady), or after one if that one step took the whole budget.
    const limit = warmupSteps >= 2 ? opts.budgetSeconds / 2 : warmupSteps === 1 ? opts.budgetSeconds : Infinity;
    if (opts.budgetSeconds > 0 && warmupSeconds > limit) break;
    const t0 = performance.now();
    const { x, y } = gatherBatch(data.train, order, warmupSteps * batch, batch);
    await trainer.step(x, y);
    await trainer.sync();
    lastStepSeconds = (performance.now() - t0) / 1000;
    warmupSeconds += lastStepSeconds;
    warmupSteps++;
  }
  if (warmupSteps < opts.warmup) notes.push(`warm-up cut to ${warmupSteps} steps (${warmupSeconds.toFixed(0)} s)`);
  const fits = (steps: number) => opts.budgetSeconds <= 0 || steps * lastStepSeconds <= opts.budgetSeconds;

  const samples: number[] = [], cpuSamples: number[] = [];
  const timeWindow = async (firstStep: number, steps: number) => {
    const t0 = performance.now(), c0 = process.cpuUsage();
    for (let s = firstStep; s < firstStep + steps; s++) {
      const { x, y } = gatherBatch(data.train, order, s * batch, batch);
      await trainer.step(x, y);
    }
    await trainer.sync();
    samples.push((steps * batch) / ((performance.now() - t0) / 1000));
    const cpu = process.cpuUsage(c0);
    cpuSamples.push((steps * batch) / Math.max((cpu.user + cpu.system) / 1e6, 1e-9));
  };

  let full = opts.full && trainer.predict !== undefined;
  if (full && !fits(EPOCHS_IN_FULL_RUN * stepsPerEpoch)) {
    full = false;
    notes.push(`too slow for ${EPOCHS_IN_FULL_RUN} full epochs in ${opts.budgetSeconds} s (${lastStepSeconds.toFixed(2)} s/step): timed steps only, no accuracy`);
  }
  if (!full) {
    let steps = opts.full ? stepsPerEpoch : opts.steps;
    if (!fits(steps)) {
      const affordable = Math.max(MIN_TIMED_STEPS, Math.floor(opts.budgetSeconds / lastStepSeconds));
      notes.push(`reduced from ${steps} to ${affordable} timed steps to fit ${opts.budgetSeconds} s (${lastStepSeconds.toFixed(2)} s/step)`);
      steps = affordable;
    }
    const sizes = windowSizes(steps, opts.windows);
    let done = 0;
    for (const size of sizes) {
      await timeWindow(warmupSteps + done, size);
      done += size;
    }
    notes.push(`${warmupSteps} warm-up + ${steps} timed steps of ${batch} in ${sizes.length} windows`);
    return { samples, cpuSamples, notes, rssBeforeTrainingMiB };
  }

  const acc: { epoch: number; value: number }[] = [];
  for (let epoch = 1; epoch <= EPOCHS_IN_FULL_RUN; epoch++) {
    order = epochOrder(data.train.n, epoch);
    let done = 0;
    for (const size of windowSizes(stepsPerEpoch, WINDOWS_PER_EPOCH)) {
      await timeWindow(done, size);
      done += size;
    }
    if (ACCURACY_AFTER.includes(epoch)) acc.push({ epoch, value: await accuracy(trainer, data.test) });
  }
  notes.push(`${warmupSteps} warm-up steps, then ${EPOCHS_IN_FULL_RUN} epochs of ${stepsPerEpoch} steps of ${batch}, ${WINDOWS_PER_EPOCH} windows each`);
  return { samples, cpuSamples, notes, accuracy: acc, rssBeforeTrainingMiB };
}
