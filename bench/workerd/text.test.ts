// Text rasterisers inside workerd (`npm run bench:workerd`): one 60 px line, "The quick brown fox
// jumps over the lazy dog", time (median of 10 runs after a warm-up) and memory. Prints; asserts
// nothing (local workerd's clock advances during CPU work). Candidates:
// - own: plan/text/layout.ts + ops/text.ts, Liberation Sans; memory = the buffers it allocates
//   (the RGBA box and one float per pixel, the `text` row of plan/ops.ts).
// - photon draw_text_with_color (@cf-wasm/photon, a dev dependency): its own embedded font only
//   (no font argument, so no Arial-metric font); its WASM memory is not reachable through the
//   package's workerd entry: it holds at least the canvas copied in and the copy out (8 B/px).
// - @cf-wasm/resvg (SVG <text> with the font loaded) was not tried: see README "Text layers".
import { PhotonImage, Rgba, draw_text_with_color } from '@cf-wasm/photon';
import { it } from 'vitest';
import { stepSpec } from '../../src/plan/ops';
import type { Step } from '../../src/plan/steps';
import { layoutText } from '../../src/plan/text/layout';
import { drawText } from '../../src/ops/text';
import { parseTextLayer } from '../../src/url/text-layer';

const TEXT = 'The quick brown fox jumps over the lazy dog';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

it('60 px line: own TrueType rasteriser vs photon draw_text', () => {
  const rows: string[] = [];
  {
    const times: number[] = [];
    let step: Extract<Step, { op: 'text' }> | undefined;
    for (let run = 0; run < 11; run++) {
      const t = performance.now();
      const src = parseTextLayer('l', `text:Arial_60:${encodeURIComponent(TEXT)}`);
      const l = layoutText(src, 1);
      step = { op: 'text', face: src.face, size: 60, scale: l.scale, ...l, color: [0, 0, 0, 255], background: [0, 0, 0, 0] };
      drawText(step);
      if (run) times.push(performance.now() - t);
    }
    const mem = stepSpec('text').memory(step!, { width: 0, height: 0 }, false, { header: undefined as never, inputBytes: 0 }).working ?? 0;
    rows.push(`own (Liberation Sans): ${step!.width}x${step!.height}, median ${median(times).toFixed(1)} ms (layout + draw), ${(mem / 1024).toFixed(0)} KiB`);
  }
  {
    const times: number[] = [];
    // The same box as ours, so both fill the same number of pixels.
    for (let run = 0; run < 11; run++) {
      const t = performance.now();
      const img = new PhotonImage(new Uint8Array(1200 * 70 * 4), 1200, 70);
      draw_text_with_color(img, TEXT, 0, 0, 60, new Rgba(0, 0, 0, 255));
      const out = img.get_raw_pixels();
      img.free();
      if (run) times.push(performance.now() - t);
      if (!out.length) throw new Error('no pixels');
    }
    rows.push(
      `photon draw_text_with_color (embedded font): 1200x70 canvas, median ${median(times).toFixed(1)} ms (new image, draw, pixels out), >= ${((1200 * 70 * 8) / 1024).toFixed(0)} KiB`,
    );
  }
  console.log(rows.join('\n'));
});
