/**
 * Opens an HTML report in headless Chromium, prints console errors and the
 * size of each chart, and saves a full-page screenshot.
 *
 *   npx tsx bench/check-report.ts runs/eda-fashion.html runs/eda-fashion.png
 */
import { resolve } from "node:path";
import { chromium } from "playwright-core";

const [page0, shot = "runs/report.png"] = process.argv.slice(2);
if (!page0) throw new Error("usage: check-report.ts REPORT.html [SCREENSHOT.png]");
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const problems: string[] = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(m.text()); });
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(`file://${resolve(page0)}`);
  const charts = await page.$$eval("figure.chart svg", (svgs) => svgs.map((s) => {
    const r = s.getBoundingClientRect();
    return `${Math.round(r.width)}×${Math.round(r.height)}, ${s.querySelectorAll("path, rect, image, text").length} marks`;
  }));
  console.log(`${charts.length} charts:\n  ${charts.join("\n  ")}`);
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`console errors: ${problems.length}${problems.length ? "\n  " + problems.join("\n  ") : ""}`);
  console.log(`screenshot: ${shot}`);
} finally {
  await browser.close();
}
