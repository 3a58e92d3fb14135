/**
 * Classic models on Fashion-MNIST (train on the 60 000 training images, test
 * on the 10 000 test images; pixels in [0, 1] as 784 features). The kernel
 * SVMs train on a subset (their cost grows with n²): a stratified random
 * subset drawn with a fixed key (--svc-subset, default 5 000); k-NN uses all
 * 60 000 unless --knn-subset N says otherwise. Prints test accuracy and fit time per
 * model, and appends one JSON line per model to --out.
 *
 *   npx tsx examples/fashion-classic.ts [--only LogisticRegression,GaussianNB] [--out runs/fashion-classic.jsonl]
 *   (needs `apt-get install dataset-fashion-mnist`, or $FLUXION_DATA)
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { loadavg } from "node:os";
import * as fx from "../src/index.js";

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const only = arg("only")?.split(",");
const out = arg("out") ?? "runs/fashion-classic.jsonl";
const SVC_SUBSET = Number(arg("svc-subset") ?? 5000);
const KNN_SUBSET = Number(arg("knn-subset") ?? 60000);

const { train, test } = fx.data.fashionMnist({ layout: "flat" });
const [xTrain, yTrain] = train.collect();
const [xTest, yTest] = test.collect();

/** `size` training indices, the same share of each class, chosen by `key`. */
function stratifiedSubset(labels: fx.Tensor, size: number, key: number): [fx.Tensor, fx.Tensor] {
  const y = Array.from(labels.data(), Number);
  const order = Array.from(fx.random.permutation(fx.random.key(key), y.length).data(), Number);
  const perClass = new Map<number, number>();
  const quota = size / 10;
  const picked: number[] = [];
  for (const i of order) {
    const c = perClass.get(y[i]!) ?? 0;
    if (c < quota) { picked.push(i); perClass.set(y[i]!, c + 1); }
    if (picked.length === size) break;
  }
  picked.sort((a, b) => a - b);
  const idx = fx.tensor(Int32Array.from(picked), { dtype: "int32" });
  return [fx.take(xTrain, idx, 0), fx.take(labels, idx, 0)];
}

interface Model {
  name: string;
  note: string;
  make: () => { fit(x: fx.Tensor, y: fx.Tensor): unknown; score(x: fx.Tensor, y: fx.Tensor): number };
  subset?: number;
}

const models: Model[] = [
  { name: "LogisticRegression", note: "multinomial, C = 1, L-BFGS (100 iterations max)", make: () => new fx.ml.LogisticRegression({ C: 1, maxIter: 100 }) },
  { name: "Perceptron", note: "one-vs-rest, early stopping (tol 1e-3, 5 epochs)", make: () => new fx.ml.Perceptron({ key: 0 }) },
  { name: "SVC (linear)", note: "C = 1, one-vs-one", make: () => new fx.ml.SVC({ kernel: "linear", C: 1 }), subset: SVC_SUBSET },
  { name: "SVC (RBF)", note: "C = 10, gamma = scale, one-vs-one", make: () => new fx.ml.SVC({ kernel: "rbf", C: 10 }), subset: SVC_SUBSET },
  { name: "KNeighborsClassifier", note: "k = 5, uniform votes", make: () => new fx.ml.KNeighborsClassifier({ nNeighbors: 5 }), subset: KNN_SUBSET },
  { name: "GaussianNB", note: "var smoothing 1e-9", make: () => new fx.ml.GaussianNB() },
  { name: "LDA", note: "shared covariance, regParam 1e-6", make: () => new fx.ml.LinearDiscriminantAnalysis() },
];

mkdirSync(dirname(out), { recursive: true });
console.log(`Fashion-MNIST: ${xTrain.shape[0]} training and ${xTest.shape[0]} test images; load average ${loadavg()[0]!.toFixed(1)}`);
console.log("model                  train n   fit s (wall)  fit s (CPU)  train acc  test acc");
for (const m of models) {
  if (only && !only.includes(m.name)) continue;
  const [x, y] = m.subset ? stratifiedSubset(yTrain, m.subset, 0) : [xTrain, yTrain];
  const est = m.make();
  const load = loadavg()[0]!;
  const t0 = performance.now(), c0 = process.cpuUsage();
  est.fit(x, y);
  const fitWall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const fitCpu = (c.user + c.system) / 1e6;
  const t1 = performance.now();
  const testAcc = est.score(xTest, yTest);
  const predictWall = (performance.now() - t1) / 1000;
  // Training accuracy on (at most) 10 000 training samples, to keep prediction time bounded.
  const [xs, ys] = x.shape[0]! > 10000 ? [fx.slice(x, [0, 10000]), fx.slice(y, [0, 10000])] : [x, y];
  const trainAcc = est.score(xs, ys);
  const n = x.shape[0]!;
  console.log(`${m.name.padEnd(22)} ${String(n).padStart(7)}   ${fitWall.toFixed(1).padStart(11)}  ${fitCpu.toFixed(1).padStart(11)}  ${trainAcc.toFixed(4).padStart(9)}  ${testAcc.toFixed(4).padStart(8)}`);
  appendFileSync(out, JSON.stringify({ model: m.name, note: m.note, trainSamples: n, fitSeconds: fitWall, fitCpuSeconds: fitCpu, predictSeconds: predictWall, trainAccuracy: trainAcc, testAccuracy: testAcc, loadAverage: load, date: new Date().toISOString() }) + "\n");
}
