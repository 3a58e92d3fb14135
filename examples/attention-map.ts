/**
 * Where does the language model look? Loads the model char-lm.ts trained
 * (runs/char-lm/), runs it on a held-out fortune and draws its attention
 * weights with fx.viz.heatmap: one map per block (averaged over heads) and
 * one per head of the last block. Row t shows how query position t spreads
 * its attention over positions 0…t (the causal mask leaves the upper
 * triangle empty). Writes SVGs to docs/figures/ and an HTML page to
 * runs/char-lm/attention.html.
 *
 *   npx tsx examples/char-lm.ts && npx tsx examples/attention-map.ts
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as fx from "../src/index.js";
import { CharTransformer, type CharTransformerConfig } from "./lib/char-transformer.js";
import { loadFortunes, shuffled } from "./lib/fortunes.js";
import { useBackend } from "./lib/backend.js";
import { isMain } from "./is-main.js";

const RUN = process.env.RUN ?? "runs/char-lm", FIGURES = "docs/figures";

export async function main(): Promise<void> {
  useBackend();
  const cfg = JSON.parse(readFileSync(`${RUN}/config.json`, "utf8")) as CharTransformerConfig;
  const tok = fx.text.loadTokenizer(`${RUN}/tokenizer.json`);
  const model = fx.io.loadInto(new CharTransformer(cfg, fx.random.key(0)), `${RUN}/model.safetensors`);
  // The same held-out fortunes char-lm.ts validated on; pick a one-line one that fills the context.
  const all = shuffled(loadFortunes().flatMap((f) => f.fortunes), 1);
  const held = all.slice(Math.floor(all.length * 0.95));
  const sentence = (held.find((f) => !f.includes("\n") && f.length >= cfg.context) ?? held[0]!).slice(0, cfg.context);
  const ids = fx.tensor([tok.encode(sentence)], { dtype: "int32" });
  const T = ids.shape[1]!;
  const labels = [...sentence].map((c, i) => `${String(i).padStart(2, "0")} ${c === " " ? "␣" : c}`);

  const maps = model.attentionMaps(ids).map((w) => w.slice(0)); // [T, T] per block
  // Per head of the last block: run the blocks before it, then ask for unaveraged weights.
  let h = model.positions.forward(model.embed.forward(ids));
  for (const b of model.blocks.slice(0, -1)) h = b.forward(h);
  const last = model.blocks[model.blocks.length - 1]!;
  const [, perHead] = last.attn.forward(last.ln1.forward(h), null, null, { causal: true, returnWeights: true, averageWeights: false });

  mkdirSync(FIGURES, { recursive: true });
  const report = new fx.viz.Report("Attention maps of the character language model");
  report.text(`Input (a held-out fortune): “${sentence}”. Row = query position, column = key position.`);
  const charts: [string, fx.Tensor][] = [
    ...maps.map((m, i): [string, fx.Tensor] => [`block ${i + 1} (mean over heads)`, m]),
    ...Array.from({ length: cfg.heads }, (_, k): [string, fx.Tensor] => [`block ${cfg.layers}, head ${k + 1}`, perHead.slice(0, k)]),
  ];
  for (const [title, m] of charts) {
    const chart = fx.viz.heatmap(m, { title, xLabels: labels, yLabels: labels, annotate: false, width: 520, height: 520, scheme: "viridis" });
    const file = `${FIGURES}/attention-${title.replace(/[^a-z0-9]+/gi, "-").replace(/-+$/, "").toLowerCase()}.svg`;
    writeFileSync(file, await chart.toSVG());
    report.chart(chart, title);
    console.log(`wrote ${file}`);
  }
  // A number to quote: how far back each block looks on average (attention-weighted distance).
  maps.forEach((m, i) => {
    const w = m.toArray() as number[][];
    const dist = w.reduce((s, row, t) => s + row.reduce((a, v, j) => a + v * (t - j), 0), 0) / T;
    const self = w.reduce((s, row, t) => s + row[t]!, 0) / T;
    console.log(`block ${i + 1}: mean attention distance ${dist.toFixed(2)} characters, mean weight on the current character ${self.toFixed(3)}`);
    report.text(`Block ${i + 1}: mean attention distance ${dist.toFixed(2)} characters; mean weight on the current character ${self.toFixed(3)}.`);
  });
  // Per head of the last block: how far back it looks, and how much of its attention lands on spaces (word boundaries).
  const chars = [...sentence];
  const spaceShare = chars.filter((c) => c === " ").length / T;
  for (let k = 0; k < cfg.heads; k++) {
    const w = perHead.slice(0, k).toArray() as number[][];
    const dist = w.reduce((s, row, t) => s + row.reduce((a, v, j) => a + v * (t - j), 0), 0) / T;
    const onSpaces = w.reduce((s, row) => s + row.reduce((a, v, j) => a + (chars[j] === " " ? v : 0), 0), 0) / T;
    const line = `block ${cfg.layers}, head ${k + 1}: mean attention distance ${dist.toFixed(2)} characters, ${(100 * onSpaces).toFixed(0)}% of its attention on spaces (${(100 * spaceShare).toFixed(0)}% of the characters)`;
    console.log(line);
    report.text(line);
  }
  await report.save(`${RUN}/attention.html`);
  console.log(`wrote ${RUN}/attention.html`);
}

if (isMain(import.meta.url)) await main();
