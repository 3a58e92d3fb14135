/**
 * Checkpoints: a training run's whole state in one safetensors file —
 * trainable parameters, buffers, optimizer state, the run's key, the
 * callbacks' tensors — with the counters (epoch, batch position, step), the
 * history and the callbacks' JSON state in the file's metadata. One file
 * written atomically (temporary file, fsync, rename): a reader sees the old
 * checkpoint or the new one, never a mix. A run resumed from it continues
 * bit for bit as if it had never stopped.
 */
import { FileFormatError, ValueError } from "../core/errors.js";
import { nodeModule } from "../core/platform.js";
import type { Tensor } from "../core/tensor.js";
import { loadSafetensors, saveSafetensors } from "../io/safetensors.js";
import { loadInto } from "../io/load-into.js";
import type { Callback, EpochLog, TrainState } from "./types.js";

/** The file name inside a checkpoint directory. */
export const CHECKPOINT_FILE = "checkpoint.safetensors";
const META_KEY = "fluxion.checkpoint";
const FORMAT = 1;

interface CheckpointJson {
  format: number;
  epoch: number;
  position: number;
  step: number;
  stepsPerEpoch: number;
  history: TrainState["history"];
  running: TrainState["running"];
  callbacks: { name: string | undefined; json: unknown }[];
}

/** A checkpoint directory's file, or the path itself if it names a file. */
export function checkpointPath(pathOrDir: string): string {
  const { existsSync, statSync } = nodeModule("node:fs", "checkpoint");
  const { join } = nodeModule("node:path", "checkpoint");
  return existsSync(pathOrDir) && statSync(pathOrDir).isDirectory() ? join(pathOrDir, CHECKPOINT_FILE) : pathOrDir;
}

/** The callbacks whose state a checkpoint carries: those with saveState/loadState, matched by order and name. */
function statefulCallbacks(state: TrainState): Callback[] {
  return state.callbacks.filter((cb) => cb.saveState !== undefined && cb.loadState !== undefined);
}

/**
 * Writes `state` to `<dir>/checkpoint.safetensors` atomically. A decision to
 * stop is not saved here: early stopping keeps it in its own state.
 */
export function saveCheckpoint(dir: string, state: TrainState): string {
  nodeModule("node:fs", "saveCheckpoint").mkdirSync(dir, { recursive: true });
  const callbackTensors: Record<string, unknown> = {};
  const callbacks = statefulCallbacks(state).map((cb, i) => {
    const saved = cb.saveState!();
    if (saved.tensors !== undefined) callbackTensors[String(i)] = saved.tensors;
    return { name: cb.name, json: saved.json ?? null };
  });
  const json: CheckpointJson = {
    format: FORMAT,
    epoch: state.epoch,
    position: state.position,
    step: state.step,
    stepsPerEpoch: state.stepsPerEpoch,
    history: state.history,
    running: state.running,
    callbacks,
  };
  const path = nodeModule("node:path", "saveCheckpoint").join(dir, CHECKPOINT_FILE);
  const tree = { params: state.params, buffers: state.buffers, opt: state.optState, key: state.key, callbacks: callbackTensors };
  saveSafetensors(path, tree, { [META_KEY]: JSON.stringify(json) });
  return path;
}

/**
 * Loads a checkpoint into `state` (whose params, buffers and optimizer state
 * give the structure to fill). Throws if the file does not fit this run.
 */
export function loadCheckpoint(pathOrDir: string, state: TrainState): void {
  const path = checkpointPath(pathOrDir);
  if (!nodeModule("node:fs", "loadCheckpoint").existsSync(path)) throw new ValueError(`fit: resumeFrom ${JSON.stringify(pathOrDir)}: no checkpoint there (expected ${CHECKPOINT_FILE} written by the checkpoint callback)`);
  const { tensors, metadata } = loadSafetensors(path);
  const raw = metadata?.[META_KEY];
  if (raw === undefined) throw new FileFormatError(`fit: ${path} is a safetensors file but not a Fluxion checkpoint (no "${META_KEY}" metadata)`);
  let json: CheckpointJson;
  try {
    json = JSON.parse(raw) as CheckpointJson;
  } catch (e) {
    throw new FileFormatError(`fit: ${path}: the checkpoint metadata is not valid JSON (${(e as Error).message})`);
  }
  if (json.format !== FORMAT) throw new FileFormatError(`fit: ${path}: checkpoint format ${json.format}, this version reads format ${FORMAT}`);
  if (json.stepsPerEpoch !== state.stepsPerEpoch) {
    throw new ValueError(`fit: ${path} was written with ${json.stepsPerEpoch} batches per epoch but this run has ${state.stepsPerEpoch}; resume with the same data and batch size`);
  }
  const own: Record<string, Tensor> = {};
  const perCallback = new Map<number, Record<string, Tensor>>();
  for (const [name, t] of Object.entries(tensors)) {
    const m = /^callbacks\.(\d+)\.(.*)$/.exec(name);
    if (m) {
      const i = Number(m[1]);
      const rec = perCallback.get(i) ?? {};
      rec[m[2]!] = t;
      perCallback.set(i, rec);
    } else own[name] = t;
  }
  const restored = loadInto({ params: state.params, buffers: state.buffers, opt: state.optState, key: state.key }, own);
  state.params = restored.params;
  state.buffers = restored.buffers;
  state.optState = restored.opt;
  state.key = restored.key;
  state.epoch = json.epoch;
  state.position = json.position;
  state.step = json.step;
  state.history = json.history;
  state.running = json.running;
  const stateful = statefulCallbacks(state);
  if (json.callbacks.length !== stateful.length) {
    throw new ValueError(`fit: ${path} holds the state of ${json.callbacks.length} callbacks (${json.callbacks.map((c) => c.name).join(", ") || "none"}) but this run has ${stateful.length} with state; resume with the same callbacks`);
  }
  stateful.forEach((cb, i) => {
    const saved = json.callbacks[i]!;
    if (saved.name !== cb.name) throw new ValueError(`fit: ${path}: callback ${i} was "${saved.name}" when saved, but is "${cb.name}" now`);
    cb.loadState!(saved.json, perCallback.get(i) ?? {}, state);
  });
}

export interface CheckpointOptions {
  /** Directory of the checkpoint (created if missing); the file is <dir>/checkpoint.safetensors. */
  dir: string;
  /** Also save every this many steps (default: only at epoch ends). */
  everySteps?: number;
  /** Save after every this many epochs (default 1). */
  everyEpochs?: number;
}

/**
 * Saves the run's state regularly so it can be resumed with
 * `fit(..., { resumeFrom: dir })`, which then continues exactly as if it had
 * never stopped (same batches, same dropout masks, same parameters).
 *
 *   fit(model, opt, data, { ..., callbacks: [train.checkpoint({ dir: "runs/ckpt", everySteps: 100 })] });
 *   // later, in a new process:
 *   fit(model, opt, data, { ..., callbacks: [train.checkpoint({ dir: "runs/ckpt", everySteps: 100 })], resumeFrom: "runs/ckpt" });
 */
export function checkpoint(opts: CheckpointOptions): Callback & { readonly saves: number } {
  const everyEpochs = opts.everyEpochs ?? 1;
  if (opts.everySteps !== undefined && (!Number.isInteger(opts.everySteps) || opts.everySteps < 1)) {
    throw new ValueError(`checkpoint: everySteps must be a positive integer, got ${opts.everySteps}`);
  }
  if (!Number.isInteger(everyEpochs) || everyEpochs < 1) throw new ValueError(`checkpoint: everyEpochs must be a positive integer, got ${everyEpochs}`);
  let saves = 0;
  return {
    name: "checkpoint",
    get saves() { return saves; },
    onStepEnd(state: TrainState) {
      if (opts.everySteps !== undefined && state.step % opts.everySteps === 0) {
        saveCheckpoint(opts.dir, state);
        saves++;
      }
    },
    afterEpoch(state: TrainState) {
      if (state.epoch % everyEpochs === 0 || state.epoch === state.epochs || state.stop) {
        saveCheckpoint(opts.dir, state);
        saves++;
      }
    },
  };
}

export type { EpochLog };
