import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { launchChromium } from "./support/chromium.js";
import { main } from "../src/cli/main.js";
import type { Output } from "../src/cli/output.js";

function capture(): Output & { out: string[]; err: string[] } {
  const out: string[] = [], err: string[] = [];
  return { out, err, log: (l) => out.push(l), error: (l) => err.push(l), progress: false };
}

const dir = mkdtempSync(join(tmpdir(), "fluxion-cli-"));
const modelDir = join(dir, "run");
let trainOutput: string[] = [];
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const o = capture();
  const code = await main(["train", "--limit", "300", "--epochs", "2", "--batch-size", "50", "--lr", "0.003", "--seed", "3", "--out", modelDir], o);
  expect(code, o.err.join("\n")).toBe(0);
  trainOutput = o.out;
}, 300_000);

describe("fluxion train", () => {
  it("writes model.safetensors, config.json, metrics.json and report.html, and says where the report is", () => {
    for (const f of ["model.safetensors", "config.json", "metrics.json", "report.html"]) expect(existsSync(join(modelDir, f))).toBe(true);
    expect(trainOutput.at(-1)).toBe(`Report: ${join(modelDir, "report.html")}`);
    expect(trainOutput[0]).toMatch(/^Training cnn-small \(\d+ parameters\) on mnist: 300 train \/ 300 validation \/ 300 test examples$/);
  });

  it("metrics.json has per-epoch train and validation figures, test accuracy and throughput", () => {
    const m = JSON.parse(readFileSync(join(modelDir, "metrics.json"), "utf8"));
    expect(m.epochs).toHaveLength(2);
    for (const e of m.epochs) {
      for (const k of ["loss", "accuracy", "valLoss", "valAccuracy", "samplesPerSecond", "seconds"]) expect(typeof e[k]).toBe("number");
    }
    expect(m.test.examples).toBe(300);
    expect(m.test.accuracy).toBeGreaterThan(0.5); // 10 classes: chance is 0.1
    expect(m.epochs[1].loss).toBeLessThan(m.epochs[0].loss);
    expect(m.stepLosses).toHaveLength(12);
  });

  it("config.json records the model, classes, normalization and split", () => {
    const c = JSON.parse(readFileSync(join(modelDir, "config.json"), "utf8"));
    expect(c).toMatchObject({ model: "cnn-small", dataset: "mnist", inputShape: [1, 28, 28], imageSize: [28, 28] });
    expect(c.classes).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    expect(c.normalization.mean).toBeGreaterThan(0.05);
    expect(c.normalization.std).toBeGreaterThan(0.2);
    expect(c.split).toMatch(/10000 digits.*8000 train \/ 2000 test/);
    expect(c.training).toMatchObject({ epochs: 2, batchSize: 50, lr: 0.003, seed: 3 });
  });

  it("model.safetensors names tensors as PyTorch does", () => {
    const { tensors } = fx.io.loadSafetensors(join(modelDir, "model.safetensors"));
    expect(Object.keys(tensors).sort()).toEqual(["layers.0.bias", "layers.0.weight", "layers.3.bias", "layers.3.weight", "layers.7.bias", "layers.7.weight"]);
    expect(tensors["layers.0.weight"]!.shape).toEqual([16, 1, 3, 3]);
  });

  it("rejects bad options with the option's name, and unknown data sets clearly", async () => {
    const o = capture();
    expect(await main(["train", "--model", "resnet", "--limit", "10", "--out", join(dir, "x")], o)).toBe(1);
    expect(o.err.join("\n")).toMatch(/unknown model "resnet" \(known: mlp, cnn, cnn-small\)/);
    const o2 = capture();
    expect(await main(["train", "--dataset", join(dir, "nothing-here"), "--out", join(dir, "y")], o2)).toBe(1);
    expect(o2.err.join("\n")).toMatch(/not "mnist", "fashion-mnist" or an existing directory/);
  });
});

describe("fluxion eval", () => {
  it("reproduces the test accuracy that train reported", async () => {
    const o = capture();
    expect(await main(["eval", "--model-dir", modelDir, "--json", "--limit", "300"], o)).toBe(0);
    const r = JSON.parse(o.out[0]!);
    const m = JSON.parse(readFileSync(join(modelDir, "metrics.json"), "utf8"));
    // The same 300 test digits (--limit) with the saved normalization: the same figures.
    expect(r.examples).toBe(300);
    expect(r.accuracy).toBe(m.test.accuracy);
    expect(r.loss).toBeCloseTo(m.test.loss, 6);
    expect(r.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(300);
  });

  it("prints a confusion matrix table", async () => {
    const o = capture();
    expect(await main(["eval", "--model-dir", modelDir, "--limit", "200"], o)).toBe(0);
    expect(o.out[1]).toMatch(/^accuracy \d+\.\d\d%  loss \d\.\d{4}$/);
    expect(o.out).toHaveLength(3 + 1 + 10);
  });

  it("explains a directory that holds no model", async () => {
    const o = capture();
    expect(await main(["eval", "--model-dir", dir], o)).toBe(1);
    expect(o.err[0]).toMatch(/expected config.json and model.safetensors there/);
  });
});

describe("fluxion predict", () => {
  it("classifies PNG files and IDX files, agreeing with the model on the same pixels", async () => {
    const { test } = fx.data.mnist({ layout: "flat" });
    const files: string[] = [];
    const idx = new Uint8Array(4 + 12 + 3 * 784);
    const dv = new DataView(idx.buffer);
    dv.setUint32(0, 0x0803);
    dv.setUint32(4, 3); dv.setUint32(8, 28); dv.setUint32(12, 28);
    for (let i = 0; i < 3; i++) {
      const [x] = test.at(i);
      const px = Uint8Array.from(x.data(), (v) => Math.round(v * 255));
      idx.set(px, 16 + i * 784);
      const gray = join(dir, `digit${i}.png`);
      writeFileSync(gray, fx.viz.encodePng(px, 28, 28));
      // The same digit as dark-on-light RGB: predict inverts it back.
      const rgb = new Uint8Array(784 * 3);
      px.forEach((v, j) => rgb.fill(255 - v, 3 * j, 3 * j + 3));
      const inverted = join(dir, `digit${i}-rgb.png`);
      writeFileSync(inverted, fx.viz.encodePng(rgb, 28, 28, 3));
      files.push(gray, inverted);
    }
    writeFileSync(join(dir, "digits.idx"), idx);
    const o = capture();
    expect(await main(["predict", "--model-dir", modelDir, "--json", ...files, join(dir, "digits.idx")], o)).toBe(0);
    const preds = JSON.parse(o.out[0]!) as { name: string; label: number; probability: number; inverted: boolean }[];
    expect(preds).toHaveLength(9);
    for (let i = 0; i < 3; i++) {
      const [gray, rgb, fromIdx] = [preds[2 * i]!, preds[2 * i + 1]!, preds[6 + i]!];
      expect(gray.inverted).toBe(false);
      expect(rgb.inverted).toBe(true);
      expect(rgb.label).toBe(gray.label);
      expect(fromIdx.label).toBe(gray.label);
      expect(fromIdx.name).toBe(`${join(dir, "digits.idx")}[${i}]`);
      expect(gray.probability).toBeGreaterThan(0.1);
    }
  });

  it("rejects a file that is neither PNG nor IDX", async () => {
    const bad = join(dir, "notes.txt");
    writeFileSync(bad, "hello");
    const o = capture();
    expect(await main(["predict", "--model-dir", modelDir, bad], o)).toBe(1);
    expect(o.err[0]).toMatch(/neither a PNG file nor an IDX file/);
  });
});

describe("fluxion info", () => {
  it("shows version, backend, threads, node and cpu", async () => {
    const o = capture();
    expect(await main(["info", "--json"], o)).toBe(0);
    const info = JSON.parse(o.out[0]!);
    expect(info.fluxion).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.backend.startsWith(`${fx.getBackend().name} (available: `)).toBe(true);
    expect(info.node).toBe(process.version);
    expect(Object.keys(info)).toEqual(["fluxion", "backend", "threads", "node", "platform", "cpu", "memory"]);
  });
});

describe("fluxion bench", () => {
  it("runs the chosen benchmarks and writes their figures", async () => {
    const out = join(dir, "bench.json");
    const o = capture();
    expect(await main(["bench", "--quick", "--only", "B4b", "--out", out], o)).toBe(0);
    const doc = JSON.parse(readFileSync(out, "utf8"));
    const figures = doc.results.B4B.figures as { name: string; median: number }[];
    expect(figures.map((f) => f.name)).toContain("B4b jit(grad) of the seed function");
    for (const f of figures) expect(f.median).toBeGreaterThan(0);
    // The hypervisor's steal share during the job, where the kernel reports it (Linux).
    if (existsSync("/proc/stat")) {
      const steal = doc.machine.stealShareByJob["overhead.ts"] as number;
      expect(steal).toBeGreaterThanOrEqual(0);
      expect(steal).toBeLessThan(1);
    }
  }, 120_000);
});

describe("report.html in a browser", () => {
  it("renders in headless Chromium without console errors, with its charts", async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const problems: string[] = [];
      page.on("console", (m) => { if (m.type() === "error") problems.push(m.text()); });
      page.on("pageerror", (e) => problems.push(e.message));
      await page.goto(`file://${join(modelDir, "report.html")}`);
      const charts = await page.$$eval("figure.chart svg", (svgs) => svgs.map((s) => {
        const r = s.getBoundingClientRect();
        return { w: r.width, h: r.height, marks: s.querySelectorAll("path, rect, image, text").length };
      }));
      // loss per epoch, loss per step, accuracy, confusion matrix, misclassified examples
      expect(charts.length).toBe(5);
      for (const c of charts) {
        expect(c.w).toBeGreaterThan(100);
        expect(c.h).toBeGreaterThan(100);
        expect(c.marks).toBeGreaterThan(5);
      }
      expect(await page.$$eval("figure.chart svg image", (imgs) => imgs.length)).toBeGreaterThan(0);
      const shot = join(dir, "report.png");
      await page.screenshot({ path: shot, fullPage: true });
      // The screenshot is a real-world PNG (filters, RGB): our reader must take it.
      const png = fx.io.loadPng(shot);
      expect(png.width).toBe(1100);
      const gray = fx.io.pngToGray(png);
      const dark = gray.filter((v) => v < 0.5).length;
      expect(dark).toBeGreaterThan(1000);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
