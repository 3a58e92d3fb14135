import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, vi } from "vitest";

/** Runs the first ```ts block of a doc with `fluxion` pointing at src/, returning what it logged. */
async function runSnippet(doc: string, replacements: [string, string][] = []): Promise<unknown[][]> {
  const md = readFileSync(fileURLToPath(new URL(`../docs/${doc}`, import.meta.url)), "utf8");
  let code = /```ts\n([\s\S]*?)```/.exec(md)![1]!;
  const src = fileURLToPath(new URL("../src/index.ts", import.meta.url));
  code = code.replace('from "fluxion"', `from ${JSON.stringify(src)}`);
  for (const [a, b] of replacements) code = code.replace(a, b);
  const file = join(mkdtempSync(join(tmpdir(), "fluxion-doc-")), `${doc}-snippet.ts`);
  writeFileSync(file, code);
  const logged: unknown[][] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void logged.push(a));
  try {
    await import(file);
  } finally {
    spy.mockRestore();
  }
  return logged;
}

describe("docs", () => {
  it("the tour in docs/ml.md runs and prints what its comments say", async () => {
    const out = await runSnippet("ml.md");
    expect(out.length).toBe(8);
    expect(out[0]![0]).toBeGreaterThan(0.97);
    expect(out[1]).toEqual([[3, 2], [0, 1, 2]]);
    expect(out[2]).toEqual([true]);
    expect(out[3]![0]).toBeGreaterThan(0.97);
    expect(out[3]![1]).toBe(true);
    expect(out[4]).toEqual([[3, 2]]);
    expect(out[5]![0]).toBeGreaterThan(0.97);
    expect(out[5]![1]).toEqual([300, 3]);
    const ratio = out[6]![0] as number[];
    expect(ratio.length).toBe(2);
    expect(ratio[0]! + ratio[1]!).toBeCloseTo(1, 10);
    expect(out[7]).toEqual([true]);
  }, 120_000);

  it("the snippet in docs/eda.md writes a report", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fluxion-eda-doc-"));
    const out = await runSnippet("eda.md", [['"runs/eda-blobs.html"', JSON.stringify(join(dir, "eda.html"))]]);
    const html = readFileSync(join(dir, "eda.html"), "utf8");
    expect(html).toContain("t-SNE");
    expect(String(out.at(-1)![0])).toContain("class balance");
  }, 120_000);
});
