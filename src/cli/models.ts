/**
 * The models `fluxion train --model NAME` builds. A model directory's
 * config.json records the name and sizes, so `eval` and `predict` rebuild
 * the same module and load its weights into it.
 */
import { ValueError } from "../core/errors.js";
import type { Key } from "../random/index.js";
import { split } from "../random/index.js";
import * as nn from "../nn/index.js";

export const MODEL_NAMES = ["mlp", "cnn", "cnn-small"] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export interface ModelSpec {
  name: ModelName;
  /** Input shape of one example: [1, H, W] for the CNNs, [H·W] for the MLP. */
  inputShape: number[];
  classes: number;
}

/** One-line descriptions, shown by `fluxion train --help` and in reports. */
export const MODEL_DESCRIPTIONS: Record<ModelName, string> = {
  "mlp": "784-512-256-10 perceptron, ReLU",
  "cnn": "conv3x3 32, conv3x3 64, maxpool 2, dense 128, dense 10 (ReLU)",
  "cnn-small": "conv3x3 16 (same), maxpool 2, conv3x3 32 (same), maxpool 2, dense 10 (ReLU): a minute or two on a laptop CPU",
};

export function checkModelName(name: string): ModelName {
  if (!(MODEL_NAMES as readonly string[]).includes(name)) throw new ValueError(`unknown model "${name}" (known: ${MODEL_NAMES.join(", ")})`);
  return name as ModelName;
}

/** Whether the model takes images [N, 1, H, W] or flat vectors [N, H·W]. */
export function layoutOf(name: ModelName): "nchw" | "flat" {
  return name === "mlp" ? "flat" : "nchw";
}

/** A freshly initialized model. */
export function buildModel(spec: ModelSpec, key: Key): nn.Module {
  const k = split(key, 4);
  const classes = spec.classes;
  switch (spec.name) {
    case "mlp": {
      const inSize = spec.inputShape.reduce((a, b) => a * b, 1);
      return new nn.MLP({ inSize, outSize: classes, widths: [512, 256], key: k[0]! });
    }
    case "cnn": {
      const [c, h, w] = imageShape(spec);
      const flat = 64 * Math.floor((h - 4) / 2) * Math.floor((w - 4) / 2);
      return new nn.Sequential([
        new nn.Conv2d(c, 32, 3, { key: k[0]! }), nn.relu,
        new nn.Conv2d(32, 64, 3, { key: k[1]! }), nn.relu,
        new nn.MaxPool2d(2), new nn.Flatten(),
        new nn.Linear(flat, 128, { key: k[2]! }), nn.relu,
        new nn.Linear(128, classes, { key: k[3]! }),
      ]);
    }
    case "cnn-small": {
      const [c, h, w] = imageShape(spec);
      const flat = 32 * Math.floor(Math.floor(h / 2) / 2) * Math.floor(Math.floor(w / 2) / 2);
      return new nn.Sequential([
        new nn.Conv2d(c, 16, 3, { key: k[0]!, padding: 1 }), nn.relu, new nn.MaxPool2d(2),
        new nn.Conv2d(16, 32, 3, { key: k[1]!, padding: 1 }), nn.relu, new nn.MaxPool2d(2),
        new nn.Flatten(),
        new nn.Linear(flat, classes, { key: k[2]! }),
      ]);
    }
    default:
      return spec.name satisfies never;
  }
}

function imageShape(spec: ModelSpec): [number, number, number] {
  if (spec.inputShape.length !== 3) throw new ValueError(`${spec.name}: expects image inputs [C, H, W], got [${spec.inputShape.join(", ")}]`);
  return spec.inputShape as [number, number, number];
}
