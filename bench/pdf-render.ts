// How long a 10-page Chinese document takes to render, and how much memory it needs.
// Usage: tsx bench/pdf-render.ts [runs]
import { renderDocument } from "../app/pdf/document.server";
import { openingRecord } from "../tests/fixtures/pdf-specs";

const runs = Number(process.argv[2] ?? 20);
const spec = openingRecord({ sections: 7, bidders: 16 });

// The first render also reads and parses the two fonts (~25 MB of TTF).
const coldStart = performance.now();
const first = await renderDocument(spec);
const coldMs = performance.now() - coldStart;

const times: number[] = [];
for (let i = 0; i < runs; i++) {
  const start = performance.now();
  await renderDocument(spec);
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
const mean = times.reduce((sum, t) => sum + t, 0) / times.length;

console.log(
  JSON.stringify({
    pages: first.pageCount,
    bytes: first.bytes.length,
    runs,
    coldMs: Math.round(coldMs),
    meanMs: Math.round(mean),
    medianMs: Math.round(times[Math.floor(times.length / 2)] ?? 0),
    maxMs: Math.round(times.at(-1) ?? 0),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
