/**
 * report.html for a training run: key figures, loss and accuracy curves,
 * the per-step loss, the confusion matrix and misclassified test examples.
 */
import type { Tensor } from "../core/tensor.js";
import { take } from "../ops/indexing.js";
import { tensor } from "../ops/creation.js";
import { reshape } from "../ops/shape.js";
import * as viz from "../viz/index.js";
import { confusionMatrix } from "../metrics/index.js";
import type { History } from "../train/types.js";
import type { ModelConfig } from "./model-dir.js";

export interface ReportInputs {
  config: ModelConfig;
  history: History;
  test: { loss: number; accuracy: number; predictions: Int32Array; labels: Int32Array };
  /** Test images in [0, 1], [N, H, W] or [N, 1, H, W]. */
  testImages: Tensor;
  totalSeconds: number;
  modelDescription: string;
  parameters: number;
}

export function buildReport(r: ReportInputs): viz.Report {
  const { config, history, test } = r;
  const epochs = history.epochs;
  const last = epochs[epochs.length - 1];
  const rep = new viz.Report(`Fluxion training run: ${config.model} on ${config.dataset}`);
  rep.figures({
    "test accuracy": `${(test.accuracy * 100).toFixed(2)}%`,
    "test loss": test.loss,
    "epochs": epochs.length,
    "training time": `${r.totalSeconds.toFixed(1)} s`,
    "samples / s": Math.round(epochs.reduce((s, e) => s + e.samplesPerSecond, 0) / Math.max(1, epochs.length)),
    "parameters": r.parameters,
  });
  rep.text(`Model: ${config.model} (${r.modelDescription}). Data: ${config.split}. Adam, learning rate ${config.training.lr}, batch size ${config.training.batchSize}, seed ${config.training.seed}.`);

  rep.heading("Loss");
  const lossSeries: Record<string, number[]> = { train: epochs.map((e) => e.loss) };
  if (last?.valLoss !== undefined) lossSeries.validation = epochs.map((e) => e.valLoss ?? NaN);
  rep.chart(viz.line(lossSeries, { title: "loss per epoch", yTitle: "cross-entropy" }));
  rep.chart(viz.line({ train: history.stepLosses }, { title: "loss per step", xTitle: "step", yTitle: "cross-entropy", width: 720 }));

  rep.heading("Accuracy");
  const accSeries: Record<string, number[]> = {};
  if (last?.accuracy !== undefined) accSeries.train = epochs.map((e) => e.accuracy ?? NaN);
  if (last?.valAccuracy !== undefined) accSeries.validation = epochs.map((e) => e.valAccuracy ?? NaN);
  if (Object.keys(accSeries).length > 0) rep.chart(viz.line(accSeries, { title: "accuracy per epoch", yTitle: "accuracy" }));
  rep.table(
    ["epoch", "train loss", "train acc", "val loss", "val acc", "samples/s", "seconds"],
    epochs.map((e) => [e.epoch, e.loss, e.accuracy ?? "", e.valLoss ?? "", e.valAccuracy ?? "", Math.round(e.samplesPerSecond), e.seconds]),
  );

  rep.heading("Confusion matrix (test set)");
  const k = config.classes.length;
  const cm = confusionMatrix(tensor(test.predictions, { dtype: "int32" }), tensor(test.labels, { dtype: "int32" }), k);
  rep.chart(viz.heatmap(cm, { title: "true class (rows) × predicted class (columns)", xLabels: config.classes, yLabels: config.classes, xTitle: "predicted", yTitle: "true", width: 420, height: 420 }));

  const wrong: number[] = [];
  for (let i = 0; i < test.predictions.length && wrong.length < 32; i++) if (test.predictions[i] !== test.labels[i]) wrong.push(i);
  rep.heading("Misclassified test examples");
  if (wrong.length === 0) rep.text("Every test example was classified correctly.");
  else {
    const images = take(r.testImages, tensor(Int32Array.from(wrong), { dtype: "int32" }), 0);
    const [h, w] = config.imageSize;
    rep.chart(
      viz.imageGrid(reshape(images, [wrong.length, h, w]), {
        captions: wrong.map((i) => `${config.classes[test.labels[i]!]} → ${config.classes[test.predictions[i]!]}`),
        columns: 8,
        scale: 2,
      }),
      `The first ${wrong.length} misclassified test images, captioned true → predicted.`,
    );
  }
  return rep;
}
