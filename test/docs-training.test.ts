import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/** Runs every ```ts block of a doc page as its own module; returns what each logged. */
async function runSnippets(page: string): Promise<unknown[][][]> {
  const md = readFileSync(resolve(__dirname, "../docs", page), "utf8");
  const blocks = [...md.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const src = resolve(__dirname, "../src/index.ts");
  const dir = mkdtempSync(join(tmpdir(), "fluxion-doc-"));
  const out: unknown[][][] = [];
  const log = console.log;
  for (const [i, code] of blocks.entries()) {
    const file = join(dir, `${page.replace(/\W/g, "_")}_${i}.ts`);
    writeFileSync(file, code.replace(/from "fluxion"/g, `from ${JSON.stringify(src)}`));
    const logs: unknown[][] = [];
    console.log = (...a: unknown[]) => void logs.push(a);
    try {
      await import(file);
    } finally {
      console.log = log;
    }
    out.push(logs);
  }
  return out;
}

describe("doc snippets run and print what the docs say", () => {
  it("docs/losses.md", async () => {
    const [intro, tour] = await runSnippets("losses.md");
    expect(intro![3]![0]).toEqual([10000, 0]);
    const [sig, bce] = tour![1] as number[];
    expect(sig).toBeCloseTo(bce!, 5);
    const [nll, ce] = tour![3] as number[];
    expect(nll).toBeCloseTo(ce!, 6);
    expect(tour![4]![0]).toBeCloseTo(Math.log(3), 6);
  });

  it("docs/optim.md", async () => {
    const [adam, chain, schedules] = await runSnippets("optim.md");
    const w = adam![0]![0] as number[];
    expect(w[0]).toBeCloseTo(1, 2);
    expect(w[1]).toBeCloseTo(-2, 2);
    expect(chain![0]![0]).toBeCloseTo(Math.sqrt(6 * 100 + 2), 4);
    const [cos, warm, steps] = schedules!.map((l) => l[0] as number[]);
    [0.1, 0.05, 0].forEach((v, i) => expect(cos![i]).toBeCloseTo(v, 10));
    [0, 0.5, 1, 0.5].forEach((v, i) => expect(warm![i]).toBeCloseTo(v, 10));
    [0.1, 0.01, 0.001].forEach((v, i) => expect(steps![i]).toBeCloseTo(v, 10));
  });

  it("docs/nn.md", async () => {
    const [intro, custom, state, partition, treeAt, init] = await runSnippets("nn.md");
    expect(intro).toEqual([[true, 131], [true]]);
    expect(custom![1]!.slice(0, 3)).toEqual([true, [1, 2, 3], "a"]);
    expect(custom![2]).toEqual([true]);
    expect(state![0]![0]).toEqual([2, 4, 5, 5]);
    expect(partition![0]).toEqual([97, 32, true]);
    expect(treeAt![0]!.slice(1)).toEqual([null, true]);
    expect(init![0]![0]).toBeCloseTo(0.125, 2);
  });
});
