/**
 * `fit`: the training loop. Each epoch visits the training examples in an
 * order drawn from the run's key, in batches; each batch is one compiled
 * step (forward in training mode with its own key, loss, gradient,
 * optimizer update). Validation after every epoch; a progress bar on a
 * terminal and one line per epoch otherwise; callbacks for early stopping,
 * checkpoints and learning-rate logging.
 *
 * Randomness comes only from `key`: split once into a shuffle key (the
 * order of epoch e is a permutation keyed by foldIn(shuffleKey, e)) and a
 * step key (step s uses foldIn(stepKey, s), e.g. for dropout). So the same
 * key gives the same run, and a checkpoint that records (epoch, position,
 * step) can resume it exactly.
 */
import { ValueError } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import { tensor } from "../ops/creation.js";
import { combine, partition, isTrainable } from "../nn/partition.js";
import { Module } from "../nn/module.js";
import { foldIn, split } from "../random/index.js";
import { ProgressBar, defaultProgressStream, formatDuration, type ProgressStream } from "./progress.js";
import { asExamples, type Examples } from "./data.js";
import { evaluateWith } from "./evaluate.js";
import { makeEvalStep, makeTrainStep } from "./step.js";
import { loadCheckpoint } from "./checkpoint.js";
import type { Callback, EpochLog, GradientTransformation, History, Key, LossFn, TrainState } from "./types.js";

/** A metric computed on the validation outputs each epoch, logged as `val<Name>`. */
export interface ValidationMetric {
  name: string;
  fn: (outputs: Tensor, targets: Tensor) => number;
}

export interface FitOptions {
  /** Loss of (predictions, targets) for a batch, a scalar (e.g. losses.softmaxCrossEntropyWithIntegerLabels). */
  lossFn: LossFn;
  epochs: number;
  batchSize: number;
  /** The run's randomness: data order and per-step keys (dropout). */
  key: Key;
  /** Examples to evaluate after every epoch (valLoss, valAccuracy). */
  validation?: Examples;
  /**
   * "accuracy" (default: measured, with int labels or one-hot targets) and
   * metrics computed on the validation outputs. Pass [] for regression.
   */
  metrics?: ("accuracy" | ValidationMetric)[];
  callbacks?: Callback[];
  /** Compile the training step with fx.jit (default true; false runs it op by op, for debugging). */
  jit?: boolean;
  /** A checkpoint directory (or file) to continue from. */
  resumeFrom?: string;
  /** Where the progress bar and the epoch lines go (default process.stderr); false for silence. */
  progress?: ProgressStream | false;
  /** Batch size for validation (default max(batchSize, 256)). */
  evalBatchSize?: number;
}

export interface FitResult<M extends Module> {
  model: M;
  history: History;
}

function checkPositiveInt(name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new ValueError(`fit: ${name} must be a positive integer, got ${String(v)}`);
  return v;
}

/**
 * Trains `model` with `optimizer` on `data` (a Dataset of [x, y] examples,
 * or [x, y] tensors) and returns the trained model and its history.
 *
 *   const { model: trained, history } = fx.train.fit(model, optim.adam(1e-3), train, {
 *     lossFn: losses.softmaxCrossEntropyWithIntegerLabels, epochs: 3, batchSize: 64,
 *     key: fx.random.key(0), validation: test,
 *   });
 *   history.epochs.at(-1)!.valAccuracy; // e.g. 0.98
 */
export function fit<M extends Module>(model: M, optimizer: GradientTransformation, data: Examples, opts: FitOptions): FitResult<M> {
  if (!(model instanceof Module)) throw new ValueError("fit: model must be an nn.Module (its forward(x, { training, key }) is what is trained)");
  if (typeof optimizer?.init !== "function" || typeof optimizer?.update !== "function") {
    throw new ValueError("fit: optimizer must be an optim.GradientTransformation ({ init, update }), e.g. optim.adam(1e-3)");
  }
  if (typeof opts?.lossFn !== "function") throw new ValueError("fit: opts.lossFn must be a function (pred, target) => scalar loss");
  const epochs = checkPositiveInt("epochs", opts.epochs);
  const batchSize = checkPositiveInt("batchSize", opts.batchSize);
  const train = asExamples("fit", data);
  const stepsPerEpoch = Math.floor(train.length / batchSize);
  if (stepsPerEpoch === 0) throw new ValueError(`fit: batchSize ${batchSize} is larger than the ${train.length} training examples`);
  const metrics = opts.metrics ?? ["accuracy"];
  const withAccuracy = metrics.includes("accuracy");
  const extraMetrics = metrics.filter((m): m is ValidationMetric => m !== "accuracy");
  const callbacks = opts.callbacks ?? [];
  const compile = opts.jit ?? true;
  const stream = opts.progress === false ? undefined : (opts.progress ?? defaultProgressStream());

  const [params0, buffers0] = partition(model, isTrainable);
  const state: TrainState<M> = {
    params: params0,
    buffers: buffers0,
    optState: optimizer.init(params0),
    key: opts.key,
    epoch: 0,
    position: 0,
    step: 0,
    stepsPerEpoch,
    epochs,
    history: { epochs: [], stepLosses: [] },
    running: { lossSum: 0, correct: 0, seen: 0, trainSeconds: 0, seconds: 0 },
    stop: false,
    callbacks,
    model() {
      return combine(this.params, this.buffers);
    },
  };
  if (opts.resumeFrom !== undefined) loadCheckpoint(opts.resumeFrom, state as unknown as TrainState);
  const [shuffleKey, stepKey] = split(state.key) as [Key, Key];

  const trainStep = makeTrainStep<M>(optimizer, opts.lossFn, withAccuracy, compile);
  const evalStep = opts.validation !== undefined ? makeEvalStep<M>(opts.lossFn, compile) : undefined;
  const validation = opts.validation !== undefined ? asExamples("fit (validation)", opts.validation) : undefined;
  const evalBatchSize = opts.evalBatchSize ?? Math.max(batchSize, 256);
  const cbState = state as unknown as TrainState;

  for (const cb of callbacks) cb.onTrainBegin?.(cbState);
  while (state.epoch < epochs && !state.stop) {
    for (const cb of callbacks) cb.onEpochBegin?.(cbState);
    const order = train.shuffle(foldIn(shuffleKey, state.epoch)).batch(batchSize, { dropRemainder: true });
    const label = `epoch ${state.epoch + 1}/${epochs}`;
    const bar = stream ? new ProgressBar(stepsPerEpoch, label, stream) : undefined;
    bar?.tick(state.position, 0, {});
    const r = state.running;
    let mark = performance.now();
    while (state.position < stepsPerEpoch && !state.stop) {
      const [x, y] = order.at(state.position);
      const [p, b, o, loss, correct] = trainStep(state.params, state.buffers, state.optState, x, y, stepKey, tensor(state.step, { dtype: "int32" }));
      const lossValue = loss.item() as number;
      state.params = p;
      state.buffers = b;
      state.optState = o;
      state.position++;
      state.step++;
      const n = x.shape[0]!;
      r.lossSum += lossValue * n;
      r.seen += n;
      if (correct) r.correct += correct.item() as number;
      const now = performance.now();
      r.trainSeconds += (now - mark) / 1000;
      r.seconds += (now - mark) / 1000;
      state.history.stepLosses.push(lossValue);
      bar?.tick(1, n, withAccuracy ? { loss: r.lossSum / r.seen, acc: r.correct / r.seen } : { loss: r.lossSum / r.seen });
      for (const cb of callbacks) cb.onStepEnd?.(cbState, lossValue);
      mark = performance.now();
    }
    bar?.finish();
    if (state.position < stepsPerEpoch) break; // stopped part-way through an epoch: nothing to record

    const valStart = performance.now();
    const log: EpochLog = {
      epoch: state.epoch + 1,
      loss: r.lossSum / r.seen,
      samplesPerSecond: r.seen / Math.max(r.trainSeconds, 1e-9),
      seconds: 0,
    };
    if (withAccuracy) log.accuracy = r.correct / r.seen;
    if (validation && evalStep) {
      const ev = evaluateWith(evalStep, state.params, state.buffers, validation, evalBatchSize);
      log.valLoss = ev.loss;
      if (withAccuracy) log.valAccuracy = ev.accuracy;
      if (extraMetrics.length > 0) {
        const targets = validation.collect()[1];
        for (const m of extraMetrics) log[`val${m.name[0]!.toUpperCase()}${m.name.slice(1)}`] = m.fn(ev.outputs, targets);
      }
    }
    log.seconds = r.seconds + (performance.now() - valStart) / 1000;
    for (const cb of callbacks) cb.onEpochEnd?.(cbState, log);
    state.history.epochs.push(log);
    stream?.write(`${epochLine(log, epochs)}\n`);
    state.epoch++;
    state.position = 0;
    state.running = { lossSum: 0, correct: 0, seen: 0, trainSeconds: 0, seconds: 0 };
    for (const cb of callbacks) cb.afterEpoch?.(cbState);
  }
  for (const cb of callbacks) cb.onTrainEnd?.(cbState);
  return { model: state.model(), history: state.history };
}

/** "epoch 2/5  loss 0.1234  acc 0.9612  val_loss 0.1100  val_acc 0.9675  3120 samples/s  00:14" */
export function epochLine(log: EpochLog, epochs: number): string {
  const parts = [`epoch ${log.epoch}/${epochs}`, `loss ${log.loss.toFixed(4)}`];
  if (log.accuracy !== undefined) parts.push(`acc ${log.accuracy.toFixed(4)}`);
  if (log.valLoss !== undefined) parts.push(`val_loss ${log.valLoss.toFixed(4)}`);
  if (log.valAccuracy !== undefined) parts.push(`val_acc ${log.valAccuracy.toFixed(4)}`);
  const standard = new Set(["epoch", "loss", "accuracy", "valLoss", "valAccuracy", "samplesPerSecond", "seconds"]);
  for (const [k, v] of Object.entries(log)) if (!standard.has(k) && typeof v === "number") parts.push(`${k} ${Number(v.toPrecision(4))}`);
  parts.push(`${Math.round(log.samplesPerSecond)} samples/s`, formatDuration(log.seconds));
  return parts.join("  ");
}
