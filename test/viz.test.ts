import { describe, expect, it } from "vitest";
import { inflateSync } from "node:zlib";
import * as fx from "../src/index.js";

describe("viz", () => {
  it("line chart renders an SVG with one path per series", async () => {
    const svg = await fx.viz.line({ train: [3, 2, 1], validation: [3.5, 2.5, 2] }, { title: "loss" }).toSVG();
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("loss");
    expect(svg).toContain("mark-line");
    expect(svg).toContain("train");
    expect(svg).toContain("validation");
  });

  it("scatter, histogram and heatmap render", async () => {
    const pts = fx.tensor([[0, 1], [1, 0], [2, 2]]);
    const s = await fx.viz.scatter(pts, { labels: [0, 1, 1] }).toSVG();
    expect((s.match(/<path/g) ?? []).length).toBeGreaterThanOrEqual(3);
    const h = await fx.viz.histogram([1, 2, 2, 3, 3, 3], { bins: 3 }).toSVG();
    expect(h).toContain("mark-rect");
    const m = await fx.viz.heatmap([[5, 1], [0, 7]], { xLabels: ["a", "b"], yLabels: ["a", "b"] }).toSVG();
    expect(m).toContain(">7<");
    expect(() => fx.viz.scatter([[1], [2]] as never)).toThrow(fx.ShapeError);
  });

  it("PNG encoder writes a valid grayscale image", () => {
    const px = new Uint8Array([0, 128, 255, 64]);
    const png = fx.viz.encodePng(px, 2, 2);
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const view = new DataView(png.buffer);
    expect(view.getUint32(16)).toBe(2);
    // IDAT follows IHDR (8 + 25 bytes); inflate it back and compare rows (filter byte 0 + pixels).
    const idatLen = view.getUint32(33);
    const raw = inflateSync(png.subarray(41, 41 + idatLen));
    expect(Array.from(raw)).toEqual([0, 0, 128, 0, 255, 64]);
  });

  it("image grid embeds one PNG per image and the report is self-contained HTML", async () => {
    const imgs = fx.tensor(new Float32Array(3 * 4 * 4).map((_, i) => (i % 16) / 16), { shape: [3, 1, 4, 4] });
    const grid = fx.viz.imageGrid(imgs, { captions: ["a", "b", "c"] });
    const svg = await grid.toSVG();
    expect((svg.match(/data:image\/png;base64/g) ?? []).length).toBe(3);
    const r = new fx.viz.Report("Run <1>").figures({ accuracy: 0.98 }).chart(grid, "examples").table(["k", "v"], [["x", 1.5]]);
    const html = await r.toHTML();
    expect(html).toContain("Run &lt;1&gt;");
    expect(html).not.toContain("<script");
    expect(html).toContain("0.9800");
  });
});
