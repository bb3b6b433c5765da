/**
 * q_auto at run time: encodes a sample of the final raster (sampleLayout: the whole image when
 * small, else a mosaic of full-resolution tiles) with the real output encoder at the qualities the
 * search asks for, decodes each result and measures its luma SSIM against the sample.
 */
import { AUTO_FALLBACK } from '../../plan/quality';
import { AUTO_TARGETS, sampleLayout, searchQuality, type AutoLevel } from './search';
import { SEARCH_SAMPLE_PIXELS } from '../../plan/cost/model';
import { decodeAvif } from '../avif/decode';
import { decodeJpeg } from '../jpeg/decode';
import { decodeWebp } from '../webp/decode';
import { encode, type OutputFormat } from '../encode';
import { flatten } from '../../ops/flatten';
import type { Raster } from '../../pixels/raster';
import { luma, reference as ssimReference, ssimAgainst } from './ssim';

/** Sample size: ~100k pixels (6 tiles of 128x128) keeps a JPEG probe at a few ms, an AVIF one at ~50 ms. */
export const SAMPLE_PIXELS: Record<Exclude<OutputFormat, 'png' | 'gif'>, number> = {
  jpg: SEARCH_SAMPLE_PIXELS,
  webp: SEARCH_SAMPLE_PIXELS,
  avif: 4 * 128 * 128,
};
/** Quality grid step of the search: AVIF probes are the slow ones, so fewer of them. */
const STEP: Record<Exclude<OutputFormat, 'png' | 'gif'>, number> = { jpg: 1, webp: 1, avif: 2 };

export interface AutoQuality {
  quality: number;
  probes: [number, number][];
}

export async function chooseQuality(r: Raster, format: OutputFormat, level: AutoLevel, progressive = false): Promise<AutoQuality> {
  if (format === 'png' || format === 'gif') return { quality: AUTO_FALLBACK[level], probes: [] };
  const src = format === 'jpg' && !r.opaque ? flatten(r, [255, 255, 255, 255]) : r;
  const sample = mosaic(src, SAMPLE_PIXELS[format]);
  try {
    return await search(sample, format, level, progressive);
  } catch {
    // A codec failure on the sample must not fail the request: the full encode reports its own.
    return { quality: AUTO_FALLBACK[level], probes: [] };
  }
}

async function search(sample: Raster, format: Exclude<OutputFormat, 'png' | 'gif'>, level: AutoLevel, progressive: boolean): Promise<AutoQuality> {
  const reference = ssimReference(luma(sample), sample.width, sample.height);
  return searchQuality(
    AUTO_TARGETS[level],
    async (quality) => {
      const bytes = await encode(sample, format, { quality, progressive });
      const back =
        format === 'jpg' ? decodeJpeg(bytes) : format === 'webp' ? await decodeWebp(bytes, sample.width, sample.height, false) : await decodeAvif(bytes);
      if (back.width !== sample.width || back.height !== sample.height) throw new Error('q_auto: the sample decoded to another size');
      return ssimAgainst(reference, luma(back));
    },
    STEP[format],
  );
}

/** The sample raster: the tiles of sampleLayout copied side by side. */
export function mosaic(r: Raster, maxPixels: number): Raster {
  const layout = sampleLayout(r.width, r.height, maxPixels);
  if (layout.tiles.length === 1 && layout.width === r.width && layout.height === r.height) return r;
  const out = new Uint8Array(layout.width * layout.height * 4);
  layout.tiles.forEach((t, i) => {
    const ox = (i % layout.columns) * t.width;
    const oy = Math.floor(i / layout.columns) * t.height;
    for (let y = 0; y < t.height; y++) {
      const from = ((t.y + y) * r.width + t.x) * 4;
      out.set(r.data.subarray(from, from + t.width * 4), ((oy + y) * layout.width + ox) * 4);
    }
  });
  return { width: layout.width, height: layout.height, data: out, opaque: r.opaque };
}
