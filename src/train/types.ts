/** The shapes shared by `fit`, its callbacks and checkpoints. */
import type { Tensor } from "../core/tensor.js";
import type { Key } from "../random/index.js";
import type { Module } from "../nn/module.js";
import type { GradientTransformation } from "../optim/types.js";

/** A loss of predictions (e.g. logits [B, C]) and targets (e.g. int labels [B]) → scalar. */
export type LossFn = (pred: Tensor, target: Tensor) => Tensor;

/** One epoch's figures. `val*` are present when `fit` was given validation data. */
export interface EpochLog {
  /** 1-based. */
  epoch: number;
  /** Mean training loss over the epoch's batches. */
  loss: number;
  /** Training accuracy (when accuracy is measured). */
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
  /** Training throughput: examples per second of training steps (validation excluded). */
  samplesPerSecond: number;
  /** Wall time of the epoch, validation included. */
  seconds: number;
  /** Values that callbacks added, e.g. the learning rate. */
  [extra: string]: number | undefined;
}

export interface History {
  epochs: EpochLog[];
  /** The training loss of every step, in order (the loss curve). */
  stepLosses: number[];
}

/**
 * Everything a training run is at a given moment. Callbacks read it and may
 * replace `params`/`buffers` (early stopping restores the best weights) or
 * set `stop`.
 */
export interface TrainState<M extends Module = Module> {
  /** Trainable leaves (nn.partition(model, nn.isTrainable)[0]). */
  params: M;
  /** Everything else: buffers such as BatchNorm statistics, integer tensors. */
  buffers: M;
  optState: unknown;
  /** The run's key; per-step keys are foldIn(stepKey, step), per-epoch orders use shuffleKey. */
  key: Key;
  /** 0-based epoch currently running (or next to run). */
  epoch: number;
  /** Batches of the current epoch already done. */
  position: number;
  /** Steps done over the whole run. */
  step: number;
  /** Batches per epoch. */
  stepsPerEpoch: number;
  epochs: number;
  history: History;
  /** Running sums of the current epoch (so a resumed epoch reports the same means). */
  running: { lossSum: number; correct: number; seen: number; trainSeconds: number; seconds: number };
  /** Set by a callback to end training after the current step or epoch. */
  stop: boolean;
  /** The callbacks of this run, in order (a checkpoint saves their state too). */
  readonly callbacks: readonly Callback[];
  /** The model these parameters and buffers make up. */
  model(): M;
}

/**
 * A hook into `fit`. Every method is optional. `saveState`/`loadState` let a
 * checkpoint carry the callback's own state (JSON plus named tensors), so a
 * resumed run behaves exactly like one that never stopped.
 */
export interface Callback {
  readonly name?: string;
  onTrainBegin?(state: TrainState): void;
  onEpochBegin?(state: TrainState): void;
  onStepEnd?(state: TrainState, loss: number): void;
  /** `log` may be extended (e.g. with the learning rate) before it is recorded. */
  onEpochEnd?(state: TrainState, log: EpochLog): void;
  /**
   * After an epoch is recorded in `history` and the counters point at the
   * next epoch: the moment a checkpoint captures.
   */
  afterEpoch?(state: TrainState): void;
  onTrainEnd?(state: TrainState): void;
  /** JSON and named tensors that a checkpoint stores for this callback. */
  saveState?(): { json: unknown; tensors?: unknown };
  /** Restores what `saveState` returned; `tensors` are the saved ones by name (load them with io.loadInto). */
  loadState?(json: unknown, tensors: Record<string, Tensor>, state: TrainState): void;
}

export type { Module, GradientTransformation, Key, Tensor };
