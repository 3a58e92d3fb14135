/**
 * The ```ts snippets of docs/tutorial.md, docs/train.md and docs/cli.md run
 * (with `from "fluxion"` pointed at src/); ```ts no-run blocks are skipped.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it, vi } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "test", ".doc-snippets-train");
const entry = join(root, "src", "index.js");
mkdirSync(outDir, { recursive: true });
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

function snippets(markdown: string): { code: string; line: number }[] {
  const found: { code: string; line: number }[] = [];
  const re = /^```ts[ \t]*\n([\s\S]*?)^```/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) found.push({ code: m[1]!, line: markdown.slice(0, m.index).split("\n").length });
  return found;
}

describe("training docs snippets run", () => {
  for (const doc of ["tutorial.md", "train.md", "cli.md"]) {
    const blocks = snippets(readFileSync(join(root, "docs", doc), "utf8"));
    it(`${doc} has snippets`, () => expect(blocks.length).toBeGreaterThan(doc === "cli.md" ? -1 : 2));
    for (const { code, line } of blocks) {
      it(`${doc}:${line}`, async () => {
        const logged: unknown[][] = [];
        const spy = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => { logged.push(a); });
        try {
          const file = join(outDir, `${doc.replace(/\W/g, "_")}_${line}.ts`);
          writeFileSync(file, code.replace(/from "fluxion"/g, `from ${JSON.stringify(entry)}`));
          await import(pathToFileURL(file).href);
        } finally {
          spy.mockRestore();
        }
        expect(logged.length).toBeGreaterThan(0);
      }, 120_000);
    }
  }

  it("the tutorial's claims hold: the hand-written loop and fit both learn", async () => {
    // Re-run two tutorial snippets and check what their comments promise.
    const md = readFileSync(join(root, "docs", "tutorial.md"), "utf8");
    const blocks = snippets(md);
    const grab = async (i: number) => {
      const logged: unknown[][] = [];
      const spy = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => { logged.push(a); });
      try {
        const file = join(outDir, `tutorial_check_${i}.ts`);
        writeFileSync(file, blocks[i]!.code.replace(/from "fluxion"/g, `from ${JSON.stringify(entry)}`));
        await import(pathToFileURL(file).href);
      } finally {
        spy.mockRestore();
      }
      return logged;
    };
    const byHand = await grab(2);
    expect(byHand[0]![2] as number).toBeLessThan(byHand[0]![0] as number);
    expect(byHand[1]![0] as number).toBeGreaterThan(0.9);
    const fitted = await grab(4);
    expect(fitted[1]![0] as number).toBeGreaterThan(0.85);
  }, 120_000);
});
