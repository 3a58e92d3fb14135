/**
 * Every ```ts snippet in docs/ runs: each is written to a temporary module
 * (with `from "fluxion"` pointed at src/) and imported. A snippet fails the
 * test if it throws. Blocks fenced as ```ts no-run are skipped.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const docsDir = join(root, "docs");
const outDir = join(root, "test", ".doc-snippets");
const entry = join(root, "src", "index.js");

function snippets(markdown: string): { code: string; line: number }[] {
  const found: { code: string; line: number }[] = [];
  const re = /^```ts[ \t]*\n([\s\S]*?)^```/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) {
    found.push({ code: m[1]!, line: markdown.slice(0, m.index).split("\n").length });
  }
  return found;
}

const docs = readdirSync(docsDir).filter((f) => f.endsWith(".md")).sort();
let log: ReturnType<typeof vi.spyOn>;

beforeAll(() => {
  mkdirSync(outDir, { recursive: true });
  log = vi.spyOn(console, "log").mockImplementation(() => {});
});
afterAll(() => {
  log.mockRestore();
  rmSync(outDir, { recursive: true, force: true });
});

describe("docs snippets run", () => {
  it("there are snippets to run", () => {
    const total = docs.reduce((n, d) => n + snippets(readFileSync(join(docsDir, d), "utf8")).length, 0);
    expect(total).toBeGreaterThan(20);
  });
  for (const doc of docs) {
    const blocks = snippets(readFileSync(join(docsDir, doc), "utf8"));
    blocks.forEach(({ code, line }) => {
      it(`${doc}:${line}`, async () => {
        const file = join(outDir, `${doc.replace(/\W/g, "_")}_${line}.ts`);
        writeFileSync(file, code.replace(/from "fluxion"/g, `from ${JSON.stringify(entry)}`));
        await import(pathToFileURL(file).href);
      });
    });
  }
});
