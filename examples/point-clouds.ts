/**
 * Which shape is this point cloud? Clouds of 32 points on a sphere, cube,
 * cylinder, cone or torus (randomly rotated, scaled, jittered, in random
 * order) are classified by
 *  - an MLP on the 96 flattened coordinates (it must learn that the order of
 *    the points means nothing),
 *  - a graph network: two GraphConv layers (max aggregation) on the
 *    8-nearest-neighbour graph with relative positions as edge features,
 *    then mean and max pooling per cloud,
 *  - a GravNet network, which builds its own neighbourhoods in a learned space.
 * Both graph models are invariant to the order of the points by construction.
 *
 *   npx tsx examples/point-clouds.ts
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as fx from "../src/index.js";
import { makeClouds, nearest, SHAPES, type Point } from "./lib/shapes.js";
import { saveAccuracyChart, trainClassifier, type ClassifierRun } from "./lib/train-classifier.js";
import { useBackend } from "./lib/backend.js";
import { isMain } from "./is-main.js";

const { nn, graph } = fx;
const OUT = "runs/point-clouds";
const POINTS = 32, K = 8;
const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);

/** Clouds as a GraphBatch: coordinates as node features, kNN edges j → i, p_j − p_i as edge features. */
function toGraphs(clouds: Point[][]): fx.graph.GraphBatch {
  return graph.batch(clouds.map((pts) => {
    const nbr = nearest(pts, K);
    const src = nbr.flat(), dst = nbr.flatMap((_, i) => Array(K).fill(i) as number[]);
    return {
      nodes: fx.tensor(pts),
      edgeIndex: fx.tensor([src, dst], { dtype: "int32" }),
      edgeFeatures: fx.tensor(src.map((j, e) => [0, 1, 2].map((c) => pts[j]![c]! - pts[dst[e]!]![c]!))),
    };
  }));
}

/** Mean and max over each cloud's nodes, then a small MLP head. */
function readout(h: fx.Tensor, g: fx.graph.GraphBatch, head: fx.nn.MLP): fx.Tensor {
  return head.forward(fx.concatenate([graph.meanPool(h, g), graph.maxPool(h, g)], 1));
}

class GraphConvNet extends nn.Module {
  readonly conv1: fx.nn.GraphConv;
  readonly conv2: fx.nn.GraphConv;
  readonly head: fx.nn.MLP;
  constructor(key: fx.random.Key) {
    super();
    const [k1, k2, k3] = fx.random.split(key, 3);
    this.conv1 = new nn.GraphConv(3, 32, { key: k1!, aggregation: "max", edgeDim: 3 });
    this.conv2 = new nn.GraphConv(32, 32, { key: k2!, aggregation: "max", edgeDim: 3 });
    this.head = new nn.MLP({ inSize: 64, outSize: SHAPES.length, widths: [32], key: k3! });
  }
  override forward(x: fx.Tensor, g: fx.graph.GraphBatch): fx.Tensor {
    const h = nn.relu(this.conv2.forward(nn.relu(this.conv1.forward(x, g)), g));
    return readout(h, g, this.head);
  }
}

class GravNetNet extends nn.Module {
  readonly input: fx.nn.Linear;
  readonly grav1: fx.nn.GravNet;
  readonly grav2: fx.nn.GravNet;
  readonly head: fx.nn.MLP;
  constructor(key: fx.random.Key) {
    super();
    const [k0, k1, k2, k3] = fx.random.split(key, 4);
    this.input = new nn.Linear(3, 16, { key: k0! });
    this.grav1 = new nn.GravNet(16, 32, { key: k1!, spaceDim: 3, propagateDim: 16, k: K });
    this.grav2 = new nn.GravNet(32, 32, { key: k2!, spaceDim: 3, propagateDim: 16, k: K });
    this.head = new nn.MLP({ inSize: 64, outSize: SHAPES.length, widths: [32], key: k3! });
  }
  override forward(x: fx.Tensor, g: fx.graph.GraphBatch): fx.Tensor {
    let h = nn.relu(this.input.forward(x));
    h = nn.relu(this.grav1.forward(h, g));
    h = nn.relu(this.grav2.forward(h, g));
    return readout(h, g, this.head);
  }
}

export async function main(): Promise<ClassifierRun[]> {
  const backend = useBackend();
  const steps = env("STEPS", 500), batchSize = 32;
  const train = makeClouds(env("TRAIN", 2000), POINTS, 1), test = makeClouds(500, POINTS, 2);
  console.log(`${train.clouds.length} training and ${test.clouds.length} test clouds of ${POINTS} points; classes ${SHAPES.join(", ")}`);
  const data = { train, test };
  const labels = (s: "train" | "test", idx: number[]) => fx.tensor(idx.map((i) => data[s].labels[i]!), { dtype: "int32" });
  const common = { trainSize: train.clouds.length, testSize: test.clouds.length, steps, batchSize, evalEvery: 100, lr: 3e-3 };
  const key = fx.random.key(0);
  const runs: ClassifierRun[] = [];

  runs.push(trainClassifier({
    ...common, name: "MLP on flattened points",
    model: new nn.MLP({ inSize: POINTS * 3, outSize: SHAPES.length, widths: [128, 64], key }),
    logits: (m, x: fx.Tensor) => m.forward(x),
    batch: (s, idx) => [fx.tensor(idx.map((i) => data[s].clouds[i]!.flat())), labels(s, idx)],
  }));
  const graphBatch = (s: "train" | "test", idx: number[]): [fx.graph.GraphBatch, fx.Tensor] => [toGraphs(idx.map((i) => data[s].clouds[i]!)), labels(s, idx)];
  runs.push(trainClassifier({
    ...common, name: "GraphConv (kNN graph, max)",
    model: new GraphConvNet(key),
    logits: (m, g: fx.graph.GraphBatch) => m.forward(g.nodes, g),
    batch: graphBatch,
  }));
  runs.push(trainClassifier({
    ...common, name: "GravNet (learned neighbourhoods)",
    model: new GravNetNet(key),
    logits: (m, g: fx.graph.GraphBatch) => m.forward(g.nodes, g),
    batch: graphBatch,
  }));

  console.log("\n| model | parameters | steps | training time | train accuracy | test accuracy |\n|---|---:|---:|---:|---:|---:|");
  for (const r of runs) console.log(`| ${r.name} | ${r.params} | ${r.steps} | ${r.seconds.toFixed(0)} s | ${(100 * r.trainAccuracy).toFixed(1)}% | ${(100 * r.testAccuracy).toFixed(1)}% |`);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(`${OUT}/metrics.json`, JSON.stringify({ backend, runs }, null, 2));
  await saveAccuracyChart(runs, "Which shape? (test clouds)", "docs/figures/point-clouds-accuracy.svg");
  return runs;
}

if (isMain(import.meta.url)) await main();
