/** Runs the ```ts snippets of a docs page against the source tree, capturing what they log. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export function docSnippets(page: string): string[] {
  const md = readFileSync(resolve(import.meta.dirname, "../docs", page), "utf8");
  return [...md.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

export async function runSnippet(code: string): Promise<unknown[][]> {
  const src = resolve(import.meta.dirname, "../src/index.ts");
  const dir = mkdtempSync(join(tmpdir(), "fluxion-doc-"));
  const file = join(dir, "snippet.ts");
  writeFileSync(file, `${code.replace(/from "fluxion"/g, `from ${JSON.stringify(src)}`)}\nexport {};\n`);
  const logs: unknown[][] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => void logs.push(a);
  try {
    await import(file);
  } finally {
    console.log = log;
    rmSync(dir, { recursive: true, force: true });
  }
  return logs;
}
