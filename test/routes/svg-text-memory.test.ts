// An SVG with <text> loads the bundled fonts into resvg: its memory, measured in an isolate of its own
// (WASM memory never shrinks, so /_dprox/memory after the render is its high-water mark).
import { describe, expect, it } from 'vitest';
import { decodeCost } from '../../src/plan/cost/model';
import { CLOUD, dims, image, upload, wasmMemory } from './worker';

const MB = 1024 * 1024;

describe('SVG <text> memory', () => {
  it("a 1000x300 SVG with text stays under the planner's estimate, fonts included", async () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="300"><text x="20" y="150" font-family="serif" font-size="80">Fonts in resvg</text><text x="20" y="260" font-family="monospace" font-weight="bold" font-size="60">mono bold</text></svg>`;
    const up = await upload('svg-text/m', new TextEncoder().encode(svg));
    expect(up).toMatchObject({ width: 1000, height: 300 });
    const out = await image(`/${CLOUD}/image/upload/svg-text/m`);
    expect(dims(out.header)).toBe('1000x300');
    const { modules } = await wasmMemory();
    const estimate = decodeCost({ ...out.header, format: 'svg', svgText: true, width: 1000, height: 300 }, 1, svg.length);
    console.log(`SVG 1000x300 with <text>: resvg wasm ${((modules.resvg ?? 0) / MB).toFixed(1)} MB, estimate ${(estimate / MB).toFixed(1)} MB`);
    expect(modules.resvg).toBeGreaterThan(0);
    expect(modules.resvg).toBeLessThan(estimate);
  });
});
