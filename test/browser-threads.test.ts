/**
 * The package in a browser: bundled for the web (no Node built-ins needed to
 * load it) and run in headless Chromium. Served cross-origin isolated
 * (COOP/COEP headers), the wasm backend starts Web Workers on its shared
 * memory, they take part in the work, and results match the reference
 * backend; served without those headers it runs on one thread, same results.
 * Only what needs Node (reading files) fails there, with a PlatformError.
 * Fluxion running inside a dedicated Worker starts its pool from there.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchChromium } from "./support/chromium.js";
import type { runThreaded, runThreadedInWorker } from "./browser/threads-page.js";

type Report = Awaited<ReturnType<typeof runThreaded>>;

const PAGE = `<!doctype html><meta charset="utf-8"><title>fluxion threads</title><link rel="icon" href="data:,"><script type="module" src="/page.js"></script>`;
const ISOLATION = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

let server: Server, origin: string, browser: Browser;

beforeAll(async () => {
  const bundle = await build({
    entryPoints: ["test/browser/threads-page.ts"],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  const script = bundle.outputFiles[0]!.contents;
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const headers = url.searchParams.has("isolated") ? ISOLATION : {};
    if (url.pathname === "/page.js") res.writeHead(200, { "Content-Type": "text/javascript", ...headers }).end(script);
    else if (url.pathname === "/") res.writeHead(200, { "Content-Type": "text/html", ...headers }).end(PAGE);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

async function runInPage(query: string, threads: number, inWorker = false): Promise<{ report: Report; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(m.text()); });
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(`${origin}/${query}`);
  await page.waitForFunction(() => typeof (globalThis as { runThreaded?: unknown }).runThreaded === "function");
  const report = inWorker
    ? await page.evaluate((n) => (globalThis as unknown as { runThreadedInWorker: typeof runThreadedInWorker }).runThreadedInWorker(n), threads)
    : await page.evaluate((n) => (globalThis as unknown as { runThreaded: typeof runThreaded }).runThreaded(n), threads);
  await page.close();
  return { report, problems };
}

describe("wasm backend in a browser", () => {
  it("cross-origin isolated: Web Workers share the work, results match the reference backend", async () => {
    const { report, problems } = await runInPage("?isolated", 2);
    expect(problems).toEqual([]);
    expect(report.isolated).toBe(true);
    expect(report.threads).toBe(2);
    expect(report.ready).toBe(2);
    expect(report.workerHandOffs.length).toBe(1);
    expect(report.workerHandOffs[0]).toBeGreaterThan(0);
    // f32 matmul, f64 matmul, jit(grad) through a convolution
    expect(report.gaps[0]).toBeLessThan(1e-4);
    expect(report.gaps[1]).toBeLessThan(1e-12);
    expect(report.gaps[2]).toBeLessThan(1e-4);
    expect(report.fileError).toBe('PlatformError: loadNpy("weights.npy"): needs Node.js (node:fs is not available in this environment)');
  }, 120_000);

  it("three threads when isolated", async () => {
    const { report, problems } = await runInPage("?isolated", 3);
    expect(problems).toEqual([]);
    expect(report.ready).toBe(3);
    expect(report.workerHandOffs.every((n) => n > 0)).toBe(true);
    expect(Math.max(...report.gaps)).toBeLessThan(1e-4);
  }, 120_000);

  it("inside a dedicated Worker (isolated): the pool starts its own workers from there, same results", async () => {
    const { report, problems } = await runInPage("?isolated", 2, true);
    expect(problems).toEqual([]);
    expect(report.isolated).toBe(true);
    expect(report.ready).toBe(2);
    expect(report.workerHandOffs[0]).toBeGreaterThan(0);
    expect(Math.max(...report.gaps)).toBeLessThan(1e-4);
  }, 120_000);

  it("not isolated: one thread, same results, no errors", async () => {
    const { report, problems } = await runInPage("", 2);
    expect(problems).toEqual([]);
    expect(report.isolated).toBe(false);
    expect(report.ready).toBe(1);
    expect(report.workerHandOffs).toEqual([]);
    expect(report.gaps[0]).toBeLessThan(1e-4);
    expect(report.gaps[1]).toBeLessThan(1e-12);
    expect(report.gaps[2]).toBeLessThan(1e-4);
  }, 120_000);
});
