import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import * as setup from "./support/train-setup.js";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "fluxion-resume-"));
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("checkpoint and resume", () => {
  it("N steps straight = N/2 steps, checkpoint, a new process, N/2 steps (bitwise)", () => {
    const half = 7; // mid-epoch: 5 steps per epoch
    expect(setup.TOTAL_STEPS).toBe(15);
    const straight = fx.train.fit(setup.model(), setup.optimizer(), setup.data(), setup.options());

    const dir = tempDir();
    const first = fx.train.fit(setup.model(), setup.optimizer(), setup.data(), setup.options({
      callbacks: [fx.train.checkpoint({ dir, everySteps: half }), setup.stopAfter(half)],
    }));
    expect(first.history.stepLosses).toHaveLength(half);
    expect(existsSync(join(dir, fx.train.CHECKPOINT_FILE))).toBe(true);

    const out = join(dir, "resumed.safetensors");
    const child = spawnSync("npx", ["tsx", "test/fixtures/train/resume.ts", dir, out], { encoding: "utf8", timeout: 120_000 });
    expect(child.status, child.stderr).toBe(0);
    const { metadata } = fx.io.loadSafetensors(out);
    const resumed = fx.io.loadInto(setup.model(), out);

    expect(setup.leafBytes(resumed)).toEqual(setup.leafBytes(straight.model));
    expect(JSON.parse(metadata!.stepLosses!)).toEqual(straight.history.stepLosses);
    expect(metadata!.epochs).toBe(String(setup.EPOCHS));
  }, 180_000);

  it("a checkpoint holds params, buffers, optimizer state, key and counters", () => {
    const dir = tempDir();
    fx.train.fit(setup.model(), setup.optimizer(), setup.data(), setup.options({
      epochs: 1, callbacks: [fx.train.checkpoint({ dir })],
    }));
    const { tensors, metadata } = fx.io.loadSafetensors(join(dir, fx.train.CHECKPOINT_FILE));
    const names = Object.keys(tensors);
    expect(names).toContain("params.layers.0.weight");
    expect(names).toContain("buffers.layers.1.runningMean");
    expect(names.some((n) => n.startsWith("opt."))).toBe(true);
    expect(names).toContain("key");
    const state = JSON.parse(metadata!["fluxion.checkpoint"]!);
    expect(state).toMatchObject({ format: 1, epoch: 1, position: 0, step: 5, stepsPerEpoch: 5 });
    expect(state.history.epochs).toHaveLength(1);
  });

  it("early stopping's state survives a resume (best weights restored after it)", () => {
    const scores = [0.5, 0.9, 0.7, 0.6, 0.4, 0.3];
    const scripted: fx.train.Callback = { name: "scripted", onEpochEnd: (_s, log) => { log.score = scores[log.epoch - 1]!; } };
    const run = (extra: Partial<fx.train.FitOptions>, callbacks: fx.train.Callback[]) =>
      fx.train.fit(setup.model(), setup.optimizer(), setup.data(), setup.options({ epochs: 6, ...extra, callbacks }));
    const straight = run({}, [scripted, fx.train.earlyStopping({ monitor: "score", patience: 3 })]);

    const dir = tempDir();
    run({}, [scripted, fx.train.earlyStopping({ monitor: "score", patience: 3 }), fx.train.checkpoint({ dir }), setup.stopAfter(15)]);
    const stop = fx.train.earlyStopping({ monitor: "score", patience: 3 });
    const resumed = run({ resumeFrom: dir }, [scripted, stop, fx.train.checkpoint({ dir })]);
    expect(resumed.history.epochs).toHaveLength(straight.history.epochs.length);
    expect(stop.bestEpoch).toBe(2);
    expect(setup.leafBytes(resumed.model)).toEqual(setup.leafBytes(straight.model));
  });

  it("refuses a checkpoint from a different setup, and a missing one", () => {
    const dir = tempDir();
    fx.train.fit(setup.model(), setup.optimizer(), setup.data(), setup.options({ epochs: 1, callbacks: [fx.train.checkpoint({ dir })] }));
    expect(() => fx.train.fit(setup.model(), setup.optimizer(), setup.data(), setup.options({ batchSize: 8, resumeFrom: dir })))
      .toThrow(/5 batches per epoch but this run has 11/);
    expect(() => fx.train.fit(setup.model(), setup.optimizer(), setup.data(), setup.options({ resumeFrom: join(dir, "nowhere") })))
      .toThrow(/no checkpoint there/);
    expect(() => fx.train.fit(setup.model(), setup.optimizer(), setup.data(), setup.options({
      resumeFrom: dir, callbacks: [fx.train.earlyStopping({ monitor: "loss" })],
    }))).toThrow(/state of 0 callbacks/);
  });
});
