/**
 * The package in a browser: bundled for the web (no Node built-ins needed to
 * load it) and run in headless Chromium. Served cross-origin isolated
 * (COOP/COEP headers), the wasm backend starts Web Workers on its shared
 * memory, they take part in the work, and results match the reference
 * backend; served without those headers it runs on one thread, same results.
 * Only what needs Node (reading files) fails there, with a PlatformError.
 * Fluxion running inside a dedicated Worker starts its pool from there.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { servePage, type ServedPage } from "../examples/browser/serve.js";
import { launchChromium } from "./support/chromium.js";
import type { runThreaded, runThreadedInWorker } from "./browser/threads-page.js";

type Report = Awaited<ReturnType<typeof runThreaded>>;

let served: ServedPage, browser: Browser;

beforeAll(async () => {
  served = await servePage(fileURLToPath(new URL("./browser/threads-page.ts", import.meta.url)), "fluxion threads");
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

async function runInPage(query: string, threads: number, inWorker = false): Promise<{ report: Report; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(m.text()); });
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(`${served.origin}/${query}`);
  await page.waitForFunction(() => typeof (globalThis as { runThreaded?: unknown }).runThreaded === "function");
  const report = inWorker
    ? await page.evaluate((n) => (globalThis as unknown as { runThreadedInWorker: typeof runThreadedInWorker }).runThreadedInWorker(n), threads)
    : await page.evaluate((n) => (globalThis as unknown as { runThreaded: typeof runThreaded }).runThreaded(n), threads);
  await page.close();
  return { report, problems };
}

describe("wasm backend in a browser", () => {
  it("cross-origin isolated: Web Workers share the work, results match the reference backend", async () => {
    const { report, problems } = await runInPage("", 2);
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
    const { report, problems } = await runInPage("", 3);
    expect(problems).toEqual([]);
    expect(report.ready).toBe(3);
    expect(report.workerHandOffs.every((n) => n > 0)).toBe(true);
    expect(Math.max(...report.gaps)).toBeLessThan(1e-4);
  }, 120_000);

  it("inside a dedicated Worker (isolated): the pool starts its own workers from there, same results", async () => {
    const { report, problems } = await runInPage("", 2, true);
    expect(problems).toEqual([]);
    expect(report.isolated).toBe(true);
    expect(report.ready).toBe(2);
    expect(report.workerHandOffs[0]).toBeGreaterThan(0);
    expect(Math.max(...report.gaps)).toBeLessThan(1e-4);
  }, 120_000);

  it("not isolated: one thread, same results, no errors", async () => {
    const { report, problems } = await runInPage("?plain", 2);
    expect(problems).toEqual([]);
    expect(report.isolated).toBe(false);
    expect(report.ready).toBe(1);
    expect(report.workerHandOffs).toEqual([]);
    expect(report.gaps[0]).toBeLessThan(1e-4);
    expect(report.gaps[1]).toBeLessThan(1e-12);
    expect(report.gaps[2]).toBeLessThan(1e-4);
  }, 120_000);

  it("the spirals example (examples/browser) trains on the page's threads", async () => {
    const served = await servePage(fileURLToPath(new URL("../examples/browser/spirals.ts", import.meta.url)), "spirals");
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("pageerror", (e) => problems.push(e.message));
      await page.goto(`${served.origin}/`);
      await page.waitForFunction(() => (globalThis as { spirals?: unknown }).spirals !== undefined);
      const result = await page.evaluate(() => (globalThis as unknown as { spirals: Promise<{ threads: number; accuracy: number; loss: number }> }).spirals);
      expect(problems).toEqual([]);
      expect(result.threads).toBeGreaterThan(1); // navigator.hardwareConcurrency threads, all started
      expect(result.accuracy).toBeGreaterThan(0.97);
      expect(await page.textContent("#log")).toContain("accuracy");
      await page.close();
    } finally {
      await served.close();
    }
  }, 120_000);
});
