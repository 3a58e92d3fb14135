/**
 * The language-model examples end to end on a tiny configuration: char-lm
 * trains a few steps and saves its run, char-lm-sample reloads it and samples
 * at two temperatures. Needs the fortunes corpus (apt-get install -y fortunes;
 * .ci/run installs it).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FORTUNE_DIR } from "../examples/lib/fortunes.js";
import * as charLm from "../examples/char-lm.js";
import * as charLmSample from "../examples/char-lm-sample.js";
import { PROMPTS } from "../examples/lib/char-sampling.js";

const dir = mkdtempSync(join(tmpdir(), "fluxion-lm-"));
const saved = { ...process.env };
afterAll(() => {
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
});

describe.runIf(existsSync(FORTUNE_DIR))("language-model examples", () => {
  it("trains, saves, reloads and samples text that continues each prompt", () => {
    Object.assign(process.env, { OUT: dir, RUN: dir, STEPS: "3", BATCH: "4", WIDTH: "16", LAYERS: "1", CONTEXT: "16", TEMPERATURES: "0.5,1", LENGTH: "40" });
    const log = console.log;
    console.log = () => {};
    try {
      const result = charLm.main();
      expect(result.steps).toBe(3);
      expect(result.validationBits).toBeGreaterThan(0);
      expect(result.validationBits).toBeLessThan(Math.log2(result.vocabSize) + 1); // near-uniform at worst after 3 steps
      for (const f of ["model.safetensors", "tokenizer.json", "config.json", "metrics.json"]) expect(existsSync(join(dir, f)), f).toBe(true);
      const sets = charLmSample.main();
      expect(sets.map((s) => s.temperature)).toEqual([0.5, 1]);
      for (const { samples } of sets) {
        samples.forEach((s, i) => {
          expect(s.startsWith(PROMPTS[i]!)).toBe(true);
          expect(s.length).toBeGreaterThanOrEqual(PROMPTS[i]!.length + 40); // unknown ids may decode to longer markers
        });
      }
      expect(JSON.parse(readFileSync(join(dir, "samples.json"), "utf8"))).toEqual(sets);
    } finally {
      console.log = log;
    }
  }, 120_000);
});
