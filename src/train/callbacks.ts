/**
 * Callbacks for `fit`: early stopping and a learning-rate monitor (the
 * checkpoint callback lives in checkpoint.ts).
 */
import { ValueError } from "../core/errors.js";
import { Tensor } from "../core/tensor.js";
import { loadInto } from "../io/load-into.js";
import type { Schedule } from "../optim/types.js";
import type { Callback, EpochLog, Module, TrainState } from "./types.js";

export interface EarlyStoppingOptions {
  /** The EpochLog figure to watch: "valLoss" (default), "valAccuracy", "loss", "accuracy", ... */
  monitor?: string;
  /** Epochs without improvement before stopping (default 5). */
  patience?: number;
  /** The least change that counts as an improvement (default 0). */
  minDelta?: number;
  /** "min" for losses, "max" for accuracies; "auto" (default) picks by whether the name contains "loss". */
  mode?: "min" | "max" | "auto";
  /** At the end of training, go back to the weights of the best epoch (default true). */
  restoreBestWeights?: boolean;
}

/**
 * Stops training when `monitor` has not improved for `patience` epochs, and
 * (by default) hands back the weights of the best epoch: with v_e the
 * monitored value after epoch e, training stops after epoch e when
 * v_e' is not better than best − minDelta for the last `patience` epochs.
 *
 *   fit(model, opt, train, { ..., validation: val, callbacks: [train.earlyStopping({ patience: 3 })] });
 */
export function earlyStopping(opts: EarlyStoppingOptions = {}): Callback & { readonly bestEpoch: number; readonly stoppedEpoch: number } {
  const monitor = opts.monitor ?? "valLoss";
  const patience = opts.patience ?? 5;
  const minDelta = Math.abs(opts.minDelta ?? 0);
  const mode = opts.mode === undefined || opts.mode === "auto" ? (monitor.toLowerCase().includes("loss") ? "min" : "max") : opts.mode;
  if (!Number.isInteger(patience) || patience < 0) throw new ValueError(`earlyStopping: patience must be a non-negative integer, got ${patience}`);
  if (mode !== "min" && mode !== "max") throw new ValueError(`earlyStopping: mode must be "min", "max" or "auto", got ${JSON.stringify(opts.mode)}`);
  const restore = opts.restoreBestWeights ?? true;
  let best = mode === "min" ? Infinity : -Infinity;
  let bestEpoch = 0, wait = 0, stoppedEpoch = 0;
  // Tensors are immutable values, so keeping references is a snapshot.
  let bestWeights: { params: Module; buffers: Module } | undefined;

  return {
    name: "earlyStopping",
    get bestEpoch() { return bestEpoch; },
    get stoppedEpoch() { return stoppedEpoch; },
    onEpochEnd(state: TrainState, log: EpochLog) {
      const value = log[monitor];
      if (typeof value !== "number") {
        const known = Object.keys(log).filter((k) => typeof log[k] === "number").join(", ");
        throw new ValueError(`earlyStopping: the epoch log has no "${monitor}" (it has ${known}); pass validation data to fit for "valLoss"/"valAccuracy"`);
      }
      const improved = mode === "min" ? value < best - minDelta : value > best + minDelta;
      if (improved) {
        best = value;
        bestEpoch = log.epoch;
        wait = 0;
        if (restore) bestWeights = { params: state.params, buffers: state.buffers };
      } else if (++wait >= patience) {
        stoppedEpoch = log.epoch;
        state.stop = true;
      }
    },
    onTrainEnd(state: TrainState) {
      if (restore && bestWeights) {
        state.params = bestWeights.params;
        state.buffers = bestWeights.buffers;
      }
    },
    saveState() {
      return { json: { best: Number.isFinite(best) ? best : String(best), bestEpoch, wait, stoppedEpoch }, tensors: bestWeights };
    },
    loadState(json: unknown, tensors: Record<string, Tensor>, state: TrainState) {
      const j = json as { best: number | string; bestEpoch: number; wait: number; stoppedEpoch: number };
      best = Number(j.best);
      bestEpoch = j.bestEpoch;
      wait = j.wait;
      stoppedEpoch = j.stoppedEpoch;
      bestWeights = Object.keys(tensors).length > 0 ? loadInto({ params: state.params, buffers: state.buffers }, tensors) : undefined;
      // It had decided to stop: the resumed run must not go on.
      if (stoppedEpoch > 0) state.stop = true;
    },
  };
}

/**
 * Records the learning rate of each epoch's last step in the epoch log (as
 * `name`, default "lr"); the optimizer itself reads the schedule at every step.
 *
 *   const lr = optim.schedules.cosineDecay({ init: 1e-3, decaySteps: 1000 });
 *   fit(model, optim.adam(lr), train, { ..., callbacks: [train.learningRateMonitor(lr)] });
 */
export function learningRateMonitor(schedule: Schedule | number, opts: { name?: string } = {}): Callback {
  const name = opts.name ?? "lr";
  return {
    name: "learningRateMonitor",
    onEpochEnd(state: TrainState, log: EpochLog) {
      const v = typeof schedule === "number" ? schedule : schedule(Math.max(0, state.step - 1));
      log[name] = v instanceof Tensor ? (v.item() as number) : v;
    },
  };
}
