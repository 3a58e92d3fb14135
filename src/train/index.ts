/** `fx.train`: the training loop, evaluation, callbacks and checkpoints. */
export { fit, epochLine, type FitOptions, type FitResult, type ValidationMetric } from "./fit.js";
export { evaluate, defaultClassificationLoss, type EvaluateOptions, type Evaluation } from "./evaluate.js";
export { earlyStopping, learningRateMonitor, type EarlyStoppingOptions } from "./callbacks.js";
export { checkpoint, saveCheckpoint, loadCheckpoint, CHECKPOINT_FILE, type CheckpointOptions } from "./checkpoint.js";
export { ProgressBar, formatDuration, type ProgressStream } from "./progress.js";
export type { Callback, EpochLog, History, LossFn, TrainState } from "./types.js";
export type { Examples } from "./data.js";
