/** `fx.optim`: Optax-style optimizers, pure `{ init, update }` pairs over pytrees. */
export type { GradientTransformation, Schedule, LearningRate, CountState } from "./types.js";
export { identity, chain, scale, scaleBySchedule, scaleByLearningRate, applyUpdates } from "./base.js";
export { trace, type TraceState } from "./momentum.js";
export { scaleByAdam, type AdamOptions, type AdamState } from "./adam.js";
export { scaleByRms, scaleByRss, type RmsOptions, type RmsState, type RssOptions, type RssState } from "./rms.js";
export { clipByGlobalNorm, addDecayedWeights, type DecayOptions } from "./regularize.js";
export { globalNorm } from "./tree-math.js";
export { sgd, adam, adamw, rmsprop, adagrad, type SgdOptions, type AdamWOptions, type RmspropOptions } from "./optimizers.js";
export * as schedules from "./schedules.js";
