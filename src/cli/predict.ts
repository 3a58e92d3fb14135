/** `fluxion predict`: classifies PNG images or IDX files of images with a saved model. */
import type { Command } from "commander";
import { ValueError } from "../core/errors.js";
import { tensor } from "../ops/creation.js";
import { softmax } from "../ops/softmax.js";
import { applyBackend, BACKEND_HELP } from "./backend.js";
import { readImages, resize } from "./images.js";
import { loadModelDir } from "./model-dir.js";
import type { Output } from "./output.js";

export interface PredictArgs {
  modelDir: string;
  files: string[];
  invert?: string;
  json?: boolean;
  top?: number;
  backend?: string;
}

export interface Prediction {
  name: string;
  label: number;
  className: string;
  probability: number;
  inverted: boolean;
}

export function runPredict(args: PredictArgs, out: Output): Prediction[] {
  applyBackend(args);
  if (args.files.length === 0) throw new ValueError("predict: give at least one PNG or IDX file");
  const invert = args.invert ?? "auto";
  if (!["auto", "yes", "no"].includes(invert)) throw new ValueError(`--invert must be auto, yes or no, got "${invert}"`);
  const { model, config } = loadModelDir(args.modelDir);
  const [h, w] = config.imageSize;
  const images = args.files.flatMap((f) => readImages(f));
  const { mean, std } = config.normalization;
  const batch = new Float32Array(images.length * h * w);
  const inverted = images.map((img, i) => {
    const px = resize(img, w, h);
    let avg = 0;
    for (const v of px) avg += v;
    avg /= px.length;
    // Training images are light strokes on a dark ground; a mostly light image is the other way round.
    const flip = invert === "yes" || (invert === "auto" && avg > 0.5);
    for (let j = 0; j < px.length; j++) batch[i * h * w + j] = ((flip ? 1 - px[j]! : px[j]!) - mean) / std;
    return flip;
  });
  const x = tensor(batch, { shape: [images.length, ...config.inputShape] });
  const probs = softmax(model.forward(x, { training: false }), -1).toArray() as number[][];
  const results = probs.map((p, i) => {
    let best = 0;
    for (let k = 1; k < p.length; k++) if (p[k]! > p[best]!) best = k;
    return { name: images[i]!.name, label: best, className: config.classes[best]!, probability: p[best]!, inverted: inverted[i]! };
  });
  if (args.json) out.log(JSON.stringify(results));
  else {
    for (const r of results) out.log(`${r.name}\t${r.className}\t${(r.probability * 100).toFixed(1)}%${r.inverted ? "\t(inverted: dark on light)" : ""}`);
  }
  return results;
}

export function registerPredict(program: Command, out: Output): void {
  program
    .command("predict")
    .description("classify images (8-bit PNG: gray, gray+alpha, RGB, RGBA; or IDX files of images)")
    .requiredOption("--model-dir <dir>", "a directory written by `fluxion train`")
    .argument("<files...>", "PNG or IDX files (IDX may be gzipped)")
    .option("--invert <mode>", "auto (invert images that are mostly light), yes or no", "auto")
    .option("--backend <name>", BACKEND_HELP)
    .option("--json", "print the predictions as JSON")
    .action((files: string[], opts: Omit<PredictArgs, "files">) => {
      runPredict({ ...opts, files }, out);
    });
}
