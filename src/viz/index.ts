export { Chart, line, scatter, histogram, heatmap, imageGrid, type ChartOptions, type Spec } from "./charts.js";
export { renderSvg } from "./render.js";
export { Report, escapeHtml } from "./report.js";
export { encodePng, pngDataUri } from "./png.js";
export { featureHistograms, correlationHeatmap, correlationMatrix, classBalance, embeddingScatter, imagesByClass, highestVarianceFeatures, type HistogramGridOptions, type CorrelationOptions, type ClassBalanceOptions, type EmbeddingScatterOptions, type ImagesByClassOptions } from "./eda.js";
export { edaReport, type EdaReportOptions } from "./eda-report.js";
