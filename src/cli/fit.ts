/**
 * `fluxion fit --estimator NAME --dataset D [--subset N]`: fits one of the
 * classic estimators of fx.ml on the training split and prints the training
 * and test scores (accuracy) and the fit time.
 *
 *   fluxion fit --estimator logistic-regression --dataset fashion-mnist --subset 10000
 */
import type { Command } from "commander";
import { ValueError } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import * as ml from "../ml/index.js";
import { firstRows, loadTabular } from "./ml-datasets.js";

interface Classifier {
  fit(x: Tensor, y: Tensor): unknown;
  score(x: Tensor, y: Tensor): number;
}

/** Estimator names (and aliases) → a constructor taking the command's options. */
const ESTIMATORS: Record<string, (o: FitOptions) => Classifier> = {
  "logistic-regression": (o) => new ml.LogisticRegression({ C: o.c ?? 1, maxIter: o.maxIter ?? 100 }),
  perceptron: (o) => new ml.Perceptron({ key: o.seed, ...(o.maxIter ? { maxIter: o.maxIter } : {}) }),
  svc: (o) => new ml.SVC({ kernel: (o.kernel ?? "rbf") as ml.SvcKernel, C: o.c ?? 1, ...(o.gamma ? { gamma: o.gamma } : {}) }),
  "k-neighbors": (o) => new ml.KNeighborsClassifier({ nNeighbors: o.k ?? 5 }),
  "gaussian-nb": () => new ml.GaussianNB(),
  lda: () => new ml.LinearDiscriminantAnalysis(),
  qda: () => new ml.QuadraticDiscriminantAnalysis({ regParam: 1e-3 }),
};
const ALIASES: Record<string, string> = {
  logisticregression: "logistic-regression", logreg: "logistic-regression", svm: "svc", knn: "k-neighbors",
  kneighborsclassifier: "k-neighbors", gaussiannb: "gaussian-nb", "naive-bayes": "gaussian-nb",
  lineardiscriminantanalysis: "lda", quadraticdiscriminantanalysis: "qda",
};

export interface FitOptions {
  estimator: string;
  dataset: string;
  subset?: number;
  testSubset?: number;
  target?: string;
  seed: number;
  c?: number;
  kernel?: string;
  gamma?: number;
  k?: number;
  maxIter?: number;
  json?: boolean;
}

export function estimatorNames(): string[] {
  return Object.keys(ESTIMATORS);
}

export function resolveEstimator(name: string): string {
  const key = name.toLowerCase();
  const resolved = ESTIMATORS[key] ? key : ALIASES[key.replace(/[-_ ]/g, "")] ?? ALIASES[key];
  if (!resolved) throw new ValueError(`fit: unknown estimator ${JSON.stringify(name)}; choose one of ${estimatorNames().join(", ")}`);
  return resolved;
}

export interface FitResult {
  estimator: string;
  dataset: string;
  trainSamples: number;
  testSamples: number;
  fitSeconds: number;
  trainScore: number;
  testScore: number;
}

/** Runs the command; returns the figures it printed. */
export function runFit(o: FitOptions, print: (line: string) => void = console.log): FitResult {
  const name = resolveEstimator(o.estimator);
  const data = loadTabular(o.dataset, { seed: o.seed, ...(o.target ? { target: o.target } : {}) });
  const [x, y] = firstRows(data.xTrain, data.yTrain, o.subset);
  const [xt, yt] = firstRows(data.xTest, data.yTest, o.testSubset);
  const est = ESTIMATORS[name]!(o);
  const t0 = performance.now();
  est.fit(x, y);
  const fitSeconds = (performance.now() - t0) / 1000;
  const result: FitResult = {
    estimator: name, dataset: data.name, trainSamples: x.shape[0]!, testSamples: xt.shape[0]!, fitSeconds,
    trainScore: est.score(x, y), testScore: est.score(xt, yt),
  };
  if (o.json) print(JSON.stringify(result));
  else {
    print(`${name} on ${data.name}: ${result.trainSamples} training / ${result.testSamples} test samples`);
    print(`fit time        ${fitSeconds.toFixed(2)} s`);
    print(`train accuracy  ${result.trainScore.toFixed(4)}`);
    print(`test accuracy   ${result.testScore.toFixed(4)}`);
  }
  return result;
}

const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new ValueError(`expected a whole number, got ${JSON.stringify(v)}`);
  return n;
};

export function register(program: Command): void {
  program
    .command("fit")
    .description("fit a classic estimator (fx.ml) and print train/test accuracy")
    .requiredOption("--estimator <name>", `one of ${estimatorNames().join(", ")}`)
    .option("--dataset <name>", "fashion-mnist, mnist, or a CSV file", "mnist")
    .option("--subset <n>", "train on the first n training samples", int)
    .option("--test-subset <n>", "test on the first n test samples", int)
    .option("--target <column>", "label column of a CSV file (default: the last)")
    .option("--seed <n>", "seed for shuffles and random choices", int, 0)
    .option("--c <x>", "regularisation C (logistic-regression, svc)", Number)
    .option("--kernel <k>", "svc kernel: linear, polynomial, rbf, laplace")
    .option("--gamma <x>", "svc kernel width", Number)
    .option("--k <n>", "neighbours for k-neighbors", int)
    .option("--max-iter <n>", "iterations (logistic-regression, perceptron)", int)
    .option("--json", "print one JSON object")
    .action((o: FitOptions) => { runFit(o); });
}
