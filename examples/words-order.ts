/**
 * Does order matter? Words of /usr/share/dict/words (apt-get install -y
 * wamerican) are shown either as spelled or reversed; the task is to tell
 * which. A bag of characters carries no information about it — "stressed"
 * and "desserts" have the same letters — so an MLP on letter counts cannot
 * beat chance, whatever its size. An MLP on one-hot letters per position
 * sees order but must learn every position separately; an LSTM and a GRU
 * read the letters in sequence with the same weights at every step.
 *
 * Words whose reversal is also a word (and palindromes) are left out: for
 * them the answer is undefined. Train and test words are disjoint.
 *
 *   npx tsx examples/words-order.ts
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as fx from "../src/index.js";
import { shuffled, seededRandom } from "./lib/fortunes.js";
import { saveAccuracyChart, trainClassifier, type ClassifierRun } from "./lib/train-classifier.js";
import { useBackend } from "./lib/backend.js";
import { isMain } from "./is-main.js";

const { nn } = fx;
const OUT = "runs/words-order";
const MAX_LEN = 10;
const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);

/** Words of 3–10 lowercase letters, each shown forwards or reversed at random: [text, label (1 = reversed)]. */
export function loadWordTask(path = "/usr/share/dict/words", seed = 1): { train: [string, number][]; test: [string, number][] } {
  const words = readFileSync(path, "utf8").split("\n").filter((w) => /^[a-z]{3,10}$/.test(w));
  const set = new Set(words);
  const rev = (w: string) => [...w].reverse().join("");
  const usable = [...new Set(words)].filter((w) => !set.has(rev(w)));
  const rand = seededRandom(seed);
  const items = shuffled(usable, seed).map((w): [string, number] => (rand() < 0.5 ? [w, 0] : [rev(w), 1]));
  const nTest = 4000;
  return { test: items.slice(0, nTest), train: items.slice(nTest) };
}

const letter = (c: string) => c.charCodeAt(0) - 96; // a → 1 … z → 26; 0 is padding

/** Letters as ids [B, MAX_LEN], left-padded with 0 so a recurrent model ends on the last letter. */
function idsOf(words: string[]): fx.Tensor {
  const out = new Int32Array(words.length * MAX_LEN);
  words.forEach((w, b) => [...w].forEach((c, i) => (out[b * MAX_LEN + MAX_LEN - w.length + i] = letter(c))));
  return fx.tensor(out, { dtype: "int32", shape: [words.length, MAX_LEN] });
}

/** Letter counts [B, 26] (order-free). */
function bagOf(words: string[]): fx.Tensor {
  const out = new Float32Array(words.length * 26);
  words.forEach((w, b) => [...w].forEach((c) => (out[b * 26 + letter(c) - 1]! += 1)));
  return fx.tensor(out, { shape: [words.length, 26] });
}

/** One-hot letter per position [B, MAX_LEN · 27] (left-padded as idsOf). */
function positionalOf(words: string[]): fx.Tensor {
  const ids = idsOf(words).data();
  const out = new Float32Array(words.length * MAX_LEN * 27);
  ids.forEach((id, k) => (out[k * 27 + id] = 1));
  return fx.tensor(out, { shape: [words.length, MAX_LEN * 27] });
}

/** Embedding → recurrent layer → the last step's hidden state → 2 logits. */
class SequenceClassifier extends nn.Module {
  readonly embed: fx.nn.Embedding;
  readonly rnn: fx.nn.LSTM | fx.nn.GRU;
  readonly head: fx.nn.Linear;
  constructor(kind: "lstm" | "gru", hidden: number, key: fx.random.Key) {
    super();
    const [k1, k2, k3] = fx.random.split(key, 3);
    this.embed = new nn.Embedding(27, 16, { key: k1! });
    this.rnn = kind === "lstm" ? new nn.LSTM(16, hidden, { key: k2! }) : new nn.GRU(16, hidden, { key: k2! });
    this.head = new nn.Linear(hidden, 2, { key: k3! });
  }
  override forward(ids: fx.Tensor): fx.Tensor {
    const h = this.rnn.forward(this.embed.forward(ids)); // [B, T, H]
    return this.head.forward(h.slice(":", -1));
  }
}

export async function main(): Promise<ClassifierRun[]> {
  const backend = useBackend();
  const steps = env("STEPS", 600);
  const { train, test } = loadWordTask();
  console.log(`${train.length} training and ${test.length} test words (half of them reversed)`);
  const pick = (split: "train" | "test", idx: number[]) => idx.map((i) => (split === "train" ? train : test)[i]!);
  const labels = (items: [string, number][]) => fx.tensor(items.map((w) => w[1]), { dtype: "int32" });
  const common = { trainSize: train.length, testSize: test.length, steps, batchSize: 64, evalEvery: 100 };
  const key = fx.random.key(0);
  const runs: ClassifierRun[] = [];

  runs.push(trainClassifier({
    ...common, name: "MLP on letter counts",
    model: new nn.MLP({ inSize: 26, outSize: 2, widths: [64, 64], key }),
    logits: (m, x: fx.Tensor) => m.forward(x),
    batch: (s, idx) => { const it = pick(s, idx); return [bagOf(it.map((w) => w[0])), labels(it)]; },
  }));
  runs.push(trainClassifier({
    ...common, name: "MLP on letters by position",
    model: new nn.MLP({ inSize: MAX_LEN * 27, outSize: 2, widths: [64, 64], key }),
    logits: (m, x: fx.Tensor) => m.forward(x),
    batch: (s, idx) => { const it = pick(s, idx); return [positionalOf(it.map((w) => w[0])), labels(it)]; },
  }));
  for (const kind of ["lstm", "gru"] as const) {
    runs.push(trainClassifier({
      ...common, name: kind.toUpperCase(),
      model: new SequenceClassifier(kind, 32, key),
      logits: (m, x: fx.Tensor) => m.forward(x),
      batch: (s, idx) => { const it = pick(s, idx); return [idsOf(it.map((w) => w[0])), labels(it)]; },
    }));
  }

  console.log("\n| model | parameters | steps | training time | train accuracy | test accuracy |\n|---|---:|---:|---:|---:|---:|");
  for (const r of runs) console.log(`| ${r.name} | ${r.params} | ${r.steps} | ${r.seconds.toFixed(0)} s | ${(100 * r.trainAccuracy).toFixed(1)}% | ${(100 * r.testAccuracy).toFixed(1)}% |`);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(`${OUT}/metrics.json`, JSON.stringify({ backend, runs }, null, 2));
  await saveAccuracyChart(runs, "Forwards or reversed? (test words)", "docs/figures/words-order-accuracy.svg");
  return runs;
}

if (isMain(import.meta.url)) await main();
