/** Headless Chromium (Debian's package) driven by playwright-core, for the tests that check pages in a browser. */
import { existsSync } from "node:fs";
import { expect } from "vitest";
import type { Browser } from "playwright-core";

const EXECUTABLE = "/usr/bin/chromium";

export async function launchChromium(): Promise<Browser> {
  expect(existsSync(EXECUTABLE), "Chromium is not installed: run `apt-get update && apt-get install -y chromium` (.ci/run does this)").toBe(true);
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: EXECUTABLE,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}
