import { describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import * as setup from "./support/train-setup.js";

const { nn, optim, losses } = fx;

describe("fit", () => {
  it("learns: the loss falls and accuracy rises on a separable problem", () => {
    const { model, history } = fx.train.fit(setup.model(), setup.optimizer(), setup.data(), setup.options({ epochs: 6 }));
    const first = history.epochs[0]!, last = history.epochs[history.epochs.length - 1]!;
    expect(history.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(history.stepLosses).toHaveLength(6 * 5);
    expect(last.loss).toBeLessThan(0.7 * first.loss);
    expect(last.accuracy!).toBeGreaterThan(first.accuracy!);
    const ev = fx.train.evaluate(model, setup.data());
    expect(ev.accuracy).toBeGreaterThan(0.8);
  });

  it("the same key gives identical loss curves and weights; another key does not", () => {
    const run = (seed: number) => fx.train.fit(setup.model(), setup.optimizer(), setup.data(), setup.options({ key: fx.random.key(seed) }));
    const a = run(1), b = run(1), c = run(2);
    expect(b.history.stepLosses).toEqual(a.history.stepLosses);
    expect(setup.leafBytes(b.model)).toEqual(setup.leafBytes(a.model));
    expect(c.history.stepLosses).not.toEqual(a.history.stepLosses);
  });

  it("jit and eager steps compute the same run", () => {
    const eager = fx.train.fit(setup.model(), setup.optimizer(), setup.data(), setup.options({ epochs: 1, jit: false }));
    const jitted = fx.train.fit(setup.model(), setup.optimizer(), setup.data(), setup.options({ epochs: 1 }));
    eager.history.stepLosses.forEach((l, i) => expect(jitted.history.stepLosses[i]).toBeCloseTo(l, 5));
  });

  it("updates BatchNorm running statistics (buffers) and leaves them out of the gradient", () => {
    const m0 = setup.model();
    const { model } = fx.train.fit(m0, setup.optimizer(), setup.data(), setup.options({ epochs: 1 }));
    const bn0 = (m0 as fx.nn.Sequential).layers[1] as fx.nn.BatchNorm;
    const bn1 = (model as fx.nn.Sequential).layers[1] as fx.nn.BatchNorm;
    const mean0 = (bn0 as unknown as { runningMean: fx.Tensor }).runningMean.toArray();
    const mean1 = (bn1 as unknown as { runningMean: fx.Tensor }).runningMean.toArray();
    expect(mean1).not.toEqual(mean0);
  });

  it("evaluate reports the loss, accuracy and argmax predictions", () => {
    const [x, y] = setup.data();
    const m = setup.model();
    const ev = fx.train.evaluate(m, [x, y], { batchSize: 30 });
    const logits = m.forward(x, { training: false });
    const expected = Int32Array.from(fx.argmax(logits, 1).data());
    expect(Array.from(ev.predictions)).toEqual(Array.from(expected));
    expect(ev.accuracy).toBeCloseTo(fx.metrics.accuracy(logits, y), 12);
    expect(ev.loss).toBeCloseTo(losses.softmaxCrossEntropyWithIntegerLabels(logits, y).item() as number, 5);
    expect(ev.count).toBe(setup.EXAMPLES);
  });

  it("accepts a Dataset, validates every epoch, and logs extra validation metrics", () => {
    const [x, y] = setup.data();
    const ds = new fx.data.Dataset<[fx.Tensor, fx.Tensor]>([x, y]);
    const { history } = fx.train.fit(setup.model(), setup.optimizer(), ds, setup.options({
      epochs: 2,
      validation: ds,
      metrics: ["accuracy", { name: "f1", fn: (out, t) => fx.metrics.f1(out, t, { average: "macro" }) as number }],
    }));
    for (const e of history.epochs) {
      expect(e.valLoss).toBeGreaterThan(0);
      expect(e.valAccuracy).toBeGreaterThanOrEqual(0);
      expect(e.valF1).toBeGreaterThanOrEqual(0);
      expect(e.samplesPerSecond).toBeGreaterThan(0);
      expect(e.seconds).toBeGreaterThan(0);
    }
  });

  it("learningRateMonitor logs the schedule's value at each epoch's last step", () => {
    const schedule = optim.schedules.exponentialDecay({ init: 0.01, decayRate: 0.5, transitionSteps: 5 });
    const { history } = fx.train.fit(setup.model(), optim.adam(schedule), setup.data(), setup.options({
      callbacks: [fx.train.learningRateMonitor(schedule)],
    }));
    // 5 steps per epoch: after epoch e the last step index is 5e - 1.
    history.epochs.forEach((e, i) => expect(e.lr).toBeCloseTo(0.01 * 0.5 ** ((5 * (i + 1) - 1) / 5), 6));
  });

  it("rejects bad arguments with messages that say what to pass", () => {
    const d = setup.data();
    expect(() => fx.train.fit(setup.model(), setup.optimizer(), d, setup.options({ batchSize: 1000 }))).toThrow(/batchSize 1000 is larger than the 88/);
    expect(() => fx.train.fit(setup.model(), setup.optimizer(), d, setup.options({ epochs: 0 }))).toThrow(/epochs must be a positive integer/);
    expect(() => fx.train.fit({} as fx.nn.Module, setup.optimizer(), d, setup.options())).toThrow(/nn.Module/);
    expect(() => fx.train.fit(setup.model(), {} as fx.optim.GradientTransformation, d, setup.options())).toThrow(/optim.adam/);
    expect(() => fx.train.fit(setup.model(), setup.optimizer(), [d[0]] as never, setup.options())).toThrow(/Dataset of \[x, y\]/);
  });

  it("writes a progress line per epoch when not on a terminal", () => {
    const lines: string[] = [];
    const stream = { isTTY: false, write: (s: string) => lines.push(s) };
    fx.train.fit(setup.model(), setup.optimizer(), setup.data(), setup.options({ epochs: 2, progress: stream }));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^epoch 1\/2 {2}loss \d\.\d{4} {2}acc \d\.\d{4} {2}\d+ samples\/s {2}\d\d:\d\d\n$/);
  });

  it("draws a progress bar on a terminal", () => {
    let out = "";
    const stream = { isTTY: true, columns: 120, write: (s: string) => { out += s; } };
    fx.train.fit(setup.model(), setup.optimizer(), setup.data(), setup.options({ epochs: 1, progress: stream }));
    expect(out).toContain("\r");
    expect(out).toMatch(/epoch 1\/1 [█░]+ 5\/5 {2}loss \d\.\d{4} {2}acc \d\.\d{4} {2}\d+ samples\/s {2}ETA/);
  });
});

describe("earlyStopping", () => {
  /** Logs a scripted score per epoch and records the weights after each epoch. */
  function scripted(scores: number[]) {
    const weights: string[][] = [];
    const cb: fx.train.Callback = {
      name: "scripted",
      onEpochEnd(state, log) {
        log.score = scores[log.epoch - 1]!;
        weights.push(setup.leafBytes(state.model()));
      },
    };
    return { cb, weights };
  }

  it("stops after `patience` epochs without improvement and restores the best weights", () => {
    const { cb, weights } = scripted([0.5, 0.9, 0.7, 0.6, 0.95, 0.99]);
    const stop = fx.train.earlyStopping({ monitor: "score", patience: 2 });
    const { model, history } = fx.train.fit(setup.model(), setup.optimizer(), setup.data(), setup.options({ epochs: 6, callbacks: [cb, stop] }));
    expect(history.epochs).toHaveLength(4);
    expect(stop.bestEpoch).toBe(2);
    expect(stop.stoppedEpoch).toBe(4);
    expect(setup.leafBytes(model)).toEqual(weights[1]);
    expect(setup.leafBytes(model)).not.toEqual(weights[3]);
  });

  it("watches valLoss by default (lower is better) and can keep the last weights", () => {
    const stop = fx.train.earlyStopping({ patience: 100, restoreBestWeights: false });
    const [x, y] = setup.data();
    const { history } = fx.train.fit(setup.model(), setup.optimizer(), [x, y], setup.options({ epochs: 2, validation: [x, y], callbacks: [stop] }));
    expect(history.epochs).toHaveLength(2);
    const best = history.epochs[0]!.valLoss! <= history.epochs[1]!.valLoss! ? 1 : 2;
    expect(stop.bestEpoch).toBe(best);
  });

  it("says which figures exist when the monitored one is missing", () => {
    const stop = fx.train.earlyStopping();
    expect(() => fx.train.fit(setup.model(), setup.optimizer(), setup.data(), setup.options({ epochs: 1, callbacks: [stop] })))
      .toThrow(/no "valLoss".*pass validation data/);
  });
});

describe("models from fx.nn train with fit", () => {
  it("a small CNN on 8x8 images", () => {
    const k = fx.random.split(fx.random.key(3), 3);
    const x = fx.random.normal(k[0]!, [64, 1, 8, 8]);
    const y = fx.greater(fx.sum(fx.slice(x, ":", ":", "0:4"), [1, 2, 3]), fx.sum(fx.slice(x, ":", ":", "4:8"), [1, 2, 3])).astype("int32");
    const cnn = new nn.Sequential([
      new nn.Conv2d(1, 4, 3, { key: k[1]!, padding: 1 }), nn.relu, new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(64, 2, { key: k[2]! }),
    ]);
    const { history } = fx.train.fit(cnn, optim.adam(0.01), [x, y], setup.options({ epochs: 8, batchSize: 16 }));
    expect(history.epochs[7]!.loss).toBeLessThan(0.6 * history.epochs[0]!.loss);
  });
});
