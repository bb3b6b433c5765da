/**
 * Memory cost model used by the planner BEFORE decoding. Pure arithmetic, no wasm imports.
 * Each cost is an upper bound of the peak bytes a step adds: the codec's wasm memory (which
 * starts at the module's initial size and never shrinks, so the bound is absolute, not a delta)
 * plus the JS-side copies it makes. Constants were calibrated by test/pixels/cost.test.ts
 * (fresh isolate, wasmMemory() after each case), with ~10-25% headroom; see the comments.
 */
import type { ImageHeader } from '../steps';
import { pngKernelBytes, pngRawBytes } from './png';

const MB = 1024 * 1024;
/** wasm pages are 64 KiB and malloc grows in steps: round every wasm estimate up by this. */
const SLACK = 2 * MB;

/** Initial memory of each module as instantiated (measured). */
export const WASM_INITIAL = {
  jpegTurbo: 2 * MB, // 1.1 MiB initial + stack/static
  pngUnfilter: 0.25 * MB, // own kernel: 128 KiB initial (stack)
  webpDec: 16 * MB, // emscripten INITIAL_MEMORY
  webpEnc: 16 * MB,
  mozjpegEnc: 16 * MB,
  avifEnc: 16 * MB, // emscripten INITIAL_MEMORY
  avifDec: 16 * MB,
  jpegEnc: 0.25 * MB, // own encoder: 128 KiB initial (stack + tables)
  resample: 0.25 * MB,
  pngFilter: 0.25 * MB,
  resvg: 2 * MB, // resvg-wasm: 1.1 MiB initial (data + stack)
  deflate: 2 * MB, // libdeflate: 128 KiB initial, a level-6 compressor ~0.9 MiB, the decompressor ~10 KiB
} as const;

/**
 * dav1d + libavif decode, bytes per pixel over the initial memory. Measured (cost.test.ts, sharp's
 * 8-bit 4:4:4 AVIF, the heaviest 8-bit layout): 1600x1200 -> 56.6 MiB, i.e. 21 B/px over 16 MiB.
 * 10/12-bit AVIF (2 bytes per sample) may need more: not measured.
 */
const AVIF_DECODE_BYTES_PER_PIXEL = 24;

/**
 * CMYK and YCCK JPEGs (ops/icc-cmyk.ts): libjpeg's CMYK bands are 4 bytes per pixel like its RGBA
 * ones (counted above) and are converted in place; the JS side holds the sampled profile grids,
 * 17⁴ × 3 × 16-bit each, two cached (test/codecs/cmyk.test.ts checks the figure).
 */
export const CMYK_GRIDS_BYTES = 2 * 17 ** 4 * 3 * 2;

/**
 * resvg (codecs/svg/decode.ts), over its initial memory: the parsed tree (per byte of the file, a
 * generous bound, not measured: usvg keeps each element's resolved attributes), per rendered pixel
 * the pixmaps in wasm (measured, test/routes/svg.test.ts: 1 MP -> 9.3 MiB, 2 MP -> 17.0 MiB, i.e.
 * ~7.7 B/px over 1.6 MiB), its JS copy and the straight-alpha raster (4 + 4), and with <text> the
 * fonts (4 MiB of files, handed over as views of the Data modules) copied into wasm: measured
 * (svg-text-memory.test.ts) 5.4 MiB for 1000x300 with text, ~1.5 MiB over its pixels'; 10 MiB counted.
 */
const SVG_TREE_BYTES_PER_INPUT_BYTE = 16;
const SVG_BYTES_PER_PIXEL = 8 + 4 + 4;
const SVG_FONT_BYTES = 10 * MB;
/** Each embedded raster decoded by resvg (RGBA, and a premultiplied pixmap of it): not measured. */
const SVG_EMBEDDED_BYTES_PER_PIXEL = 8;

/** A WebAssembly page: emscripten rounds each growth up to one. */
const PAGE = 64 * 1024;
/** First byte of the jsquash libwebp modules' heaps (static data and stack below it: measured 0.08 and 0.11 MiB). */
const WEBP_DEC_HEAP_START = 0.25 * MB;
const WEBP_ENC_HEAP_START = 0.25 * MB;
/** libwebp's decoder, bytes per pixel over its heap start and the file's two copies (8.6 measured, decodeCost). */
const WEBP_DECODE_BYTES_PER_PIXEL = 10;

/** Default compressed size assumption when the caller does not pass inputBytes. */
const DEFAULT_BYTES_PER_PIXEL = 0.5;

/**
 * Peak bytes of decoding `header` at 1/shrink (JPEG) or full size (others): wasm memory
 * (compressed input copied in + output + codec working memory) plus the JS copy of the output.
 * JPEG progressive adds the full-resolution DCT coefficient buffer, 2 bytes per coefficient of
 * every component at its sampling (4:2:0: 1.5 coefficients per pixel, 3 bytes/pixel), whatever
 * the scale: libjpeg must hold every scan before the IDCT.
 */
export function decodeCost(header: ImageHeader, shrink: 1 | 2 | 4 | 8 = 1, inputBytes?: number, streamed = false): number {
  const { width: w, height: h } = header;
  const px = w * h;
  const input = inputBytes ?? Math.ceil(px * DEFAULT_BYTES_PER_PIXEL);
  switch (header.format) {
    case 'jpg': {
      const s = header.format === 'jpg' ? shrink : 1;
      const sw = Math.ceil(w / s),
        sh = Math.ceil(h / s);
      const out = sw * sh * 4;
      const comps = header.components || 3;
      // Row buffers: per component up to 2 MCU rows (16 lines) at output width, plus colour
      // conversion/upsampling rows; measured well under this.
      const rows = Math.ceil(w / 8) * 8 * 16 * comps * 2;
      const coefficients = header.progressive ? coefficientBytes(header) : 0;
      const cmyk = comps === 4 ? CMYK_GRIDS_BYTES : 0;
      // Streamed (pixels/rows.ts): bands of 16 output rows instead of the whole output, no JS copy.
      if (streamed) return WASM_INITIAL.jpegTurbo + input + sw * 4 * 16 + rows + coefficients + SLACK + cmyk;
      const wasm = WASM_INITIAL.jpegTurbo + input + out + rows + coefficients + SLACK;
      return wasm + out + cmyk; // + JS copy of the output
    }
    case 'png': {
      // decode-png.ts: the IDAT chunks (at most the file) and the raw rows (exactly the size the
      // header implies) in libdeflate's memory (deflate.ts); the unfilter kernel holds a band of
      // raw rows and one of RGBA; the RGBA result is JS.
      const raw = pngRawBytes(w, h, Math.max(header.components, 1), header.bitDepth ?? 8);
      return WASM_INITIAL.pngUnfilter + pngKernelBytes(w) + WASM_INITIAL.deflate + input + raw + 2 * SLACK + px * 4;
    }
    case 'webp': {
      // libwebp (jsquash): the file twice (embind's argument and the std::string made of it), the
      // RGBA result and the decoder's planes (lossy: YUV; lossless: ARGB and transform buffers).
      // The heap starts at 0.08 MiB, so the 16 MiB initial memory is free heap: the module grows
      // only past it, and then by at most 1.2x what it needs (emscripten's geometric growth).
      // Need (the highest byte written, bench/webp-memory.mjs dec) over the heap start and the two
      // copies, noise 1000x750 to 3000x2000: lossy 4.1, with alpha 6.1, lossless 8.1 B/px in a new
      // instance; up to 8.6 by the growth requests after earlier decodes.
      const need = WEBP_DEC_HEAP_START + 2 * input + px * WEBP_DECODE_BYTES_PER_PIXEL;
      const wasm = Math.max(WASM_INITIAL.webpDec, 1.2 * need) + PAGE;
      // animated: the first frame is rewrapped (input-sized copy) and placed on a canvas.
      return wasm + px * 4 + (header.animated ? input + px * 4 : 0);
    }
    case 'gif':
      // Pure TS: output canvas + one index byte per pixel + the gathered LZW bytes.
      return px * 5 + input;
    case 'avif': {
      // libavif + dav1d: input copy, the AV1 frame (YUV, 8-bit 4:2:0 to 4:4:4: up to 3 B/px, and
      // alpha), dav1d's picture pool and the RGBA result; then the glue copies RGBA into JS.
      // No shrink-on-load: an AVIF original over ~3 MP does not fit the budget.
      const wasm = WASM_INITIAL.avifDec + input + px * AVIF_DECODE_BYTES_PER_PIXEL + SLACK;
      return wasm + px * 4;
    }
    case 'bmp':
      // Pure TS (codecs/bmp/decode.ts): the RGBA result and a 1 KiB palette, read from the file in place.
      return px * 4 + input + 4096;
    case 'tiff': {
      // codecs/tiff/decode.ts: the RGBA result, one strip or tile decompressed at a time in JS
      // (Deflate: also in libdeflate's memory with its compressed copy, at most the file).
      const chunk = header.chunkBytes ?? px * 4;
      return px * 4 + input + chunk + WASM_INITIAL.deflate + input + chunk + SLACK;
    }
    case 'svg':
      // w x h here is the size it is rendered at (plan/ops.ts renderedHeader).
      return (
        WASM_INITIAL.resvg +
        input * (1 + SVG_TREE_BYTES_PER_INPUT_BYTE) +
        px * SVG_BYTES_PER_PIXEL +
        (header.svgText ? SVG_FONT_BYTES : 0) +
        (header.svgEmbeddedPixels ?? 0) * SVG_EMBEDDED_BYTES_PER_PIXEL +
        SLACK
      );
  }
}

/**
 * Peak bytes of decoding an animation frame by frame (codecs/gif/frames.ts, codecs/webp/animation.ts):
 * the canvas, the copy each frame is handed out as, GIF's saved region ("restore to previous") or
 * WebP's decoded frame, and the frame's compressed bytes (at most the file); libwebp as for a still.
 */
export function framesDecodeCost(header: ImageHeader, inputBytes: number): number {
  const px = header.width * header.height;
  if (header.format === 'webp') return WASM_INITIAL.webpDec + inputBytes * 2 + px * (9 + 4 * 3) + SLACK;
  return px * 12 + inputBytes + header.width;
}

/** Bytes of the full-resolution DCT coefficient arrays of a JPEG (2 bytes per coefficient). */
export function coefficientBytes(header: ImageHeader): number {
  const f = header.samplingFactors ?? (header.components === 1 ? [1, 1] : [2, 2, 1, 1, 1, 1]);
  let hmax = 1,
    vmax = 1;
  for (let i = 0; i < f.length; i += 2) {
    hmax = Math.max(hmax, f[i]);
    vmax = Math.max(vmax, f[i + 1]);
  }
  // MCU-padded image, then each component's share of it (blocks of 8x8 = 64 coefficients).
  const mcuW = Math.ceil(header.width / (8 * hmax));
  const mcuH = Math.ceil(header.height / (8 * vmax));
  let blocks = 0;
  for (let i = 0; i < f.length; i += 2) blocks += mcuW * f[i] * mcuH * f[i + 1];
  return blocks * 64 * 2;
}

/**
 * Peak bytes of encoding a width x height RGBA raster: the raster copied into wasm, the codec's
 * working memory and the output, over the module's initial memory.
 * JPEG (mozjpeg): optimize_coding buffers the whole image's coefficients (3 B/px at 4:2:0).
 * PNG: filtered rows + deflate output (worst case incompressible). WebP: YUV + analysis buffers.
 * The wasm encoders' initial memory is counted in full (the module may not be instantiated yet).
 */
export function encodeCost(
  format: 'jpg' | 'png' | 'webp' | 'avif' | 'gif',
  width: number,
  height: number,
  progressive = false,
  autoQuality = false,
  { quality = 100, alpha = true, decoderLoaded = false, chroma444 = false }: EncodeCostOptions = {},
): number {
  const px = width * height;
  const search = autoQuality ? autoQualityCost(format, decoderLoaded) : 0;
  return encoderCost(format, width, height, progressive, px, quality, alpha, chroma444) + search;
}

export interface EncodeCostOptions {
  /** The highest quality the encode may use (q_auto: the top of its level's search range); 100 when unknown. */
  quality?: number;
  /** The raster may have transparency (PNG keeps 4 channels, WebP and AVIF encode an alpha plane); true when unknown. */
  alpha?: boolean;
  /** q_<n>:444: JPEG without chroma subsampling. */
  chroma444?: boolean;
  /** The request's original is in the output format: q_auto's decoder is the module that decoded it, its initial memory already counted. */
  decoderLoaded?: boolean;
}

/**
 * Outputs with more pixels than this are encoded by libwebp with `low_memory` (encode.ts): it codes
 * each macroblock's tokens straight into the bitstream instead of buffering every token of the
 * image first, which for noise at q80 is ~23-29 B/px and at q100 ~36 B/px. It is slower (2000x1500
 * photo: see README Memory), so smaller outputs keep the buffered path.
 */
export const WEBP_LOW_MEMORY_PIXELS = 1_000_000;

/**
 * libwebp's low_memory encode in a fresh instance (codecs/jsquash.ts fresh()): bytes per pixel it
 * needs over its heap start (13.39 measured), and what an alpha plane adds (48.85 in all measured).
 */
const WEBP_LOW_MEMORY_NEED = 14;
const WEBP_ALPHA_NEED = 36;

/** Bytes per pixel of a step of the quality `q` in a table of [highest quality, bytes] rows, ascending. */
function byQuality(q: number, table: readonly (readonly [number, number])[]): number {
  for (const [upTo, bytes] of table) if (q <= upTo) return bytes;
  return table[table.length - 1][1];
}

/**
 * Entropy-coded bytes per pixel of the own baseline JPEG encoder (4:2:0, optimised Huffman tables)
 * on the worst content measured, binary noise (each sample 0 or 255; uniform noise codes ~15%
 * smaller), at 2000x1500 (test/pixels/cost.test.ts): q50 0.52, q75 0.71, q80 0.77, q85 0.84,
 * q90 0.96, q95 1.15, q100 1.54; modelled ~12% above.
 */
const JPEG_CODED: readonly (readonly [number, number])[] = [
  [50, 0.6],
  [75, 0.8],
  [80, 0.87],
  [85, 0.95],
  [90, 1.08],
  [95, 1.3],
  [100, 1.73],
];

/**
 * Baseline JPEG outputs with more pixels than this are encoded with the fixed Annex K.3 Huffman
 * tables, MCU row by MCU row (codecs/jpeg/encode.ts), keeping no coefficients: 5-10% larger files
 * than the optimised tables, whose coefficient buffer (3 B/px) does not fit a 25 MP output.
 */
export const JPEG_STREAM_PIXELS = 8_000_000;

/**
 * Entropy-coded bytes per pixel with the fixed tables, on the worse of binary and uniform noise at
 * 2000x1504 (test/pixels/cost-noise.test.ts): q50 0.55, q75 0.75, q80 0.83, q85 0.93, q90 1.09,
 * q95 1.40, q100 2.27; modelled ~12% above.
 */
const JPEG_FIXED_CODED: readonly (readonly [number, number])[] = [
  [50, 0.62],
  [75, 0.84],
  [80, 0.93],
  [85, 1.04],
  [90, 1.22],
  [95, 1.57],
  [100, 2.55],
];

/**
 * libwebp's buffered path (up to WEBP_LOW_MEMORY_PIXELS): bytes per pixel over the initial memory,
 * heap growth included, on binary noise at 1000x1000 (test/pixels/cost.test.ts): q50-75 12.3,
 * q80-90 18.2, q95-100 25.2 (in a fresh module).
 */
const WEBP_BUFFERED: readonly (readonly [number, number])[] = [
  [75, 13],
  [90, 19],
  [100, 26],
];

/**
 * q_auto's search (codecs/quality/auto-quality.ts) on a sample of at most SEARCH_SAMPLE_PIXELS: the
 * decoder of the output format (its initial memory counted in full: it may be a module the
 * request does not otherwise use), the sample's RGBA and decoded copies, and SSIM's float planes
 * (two luma planes and five filtered ones, 4 B each). The sample's own encodes stay under the
 * full-size encode's memory, already counted.
 */
export function autoQualityCost(format: 'jpg' | 'png' | 'webp' | 'avif' | 'gif', decoderLoaded = false): number {
  if (format === 'png' || format === 'gif') return 0;
  const px = SEARCH_SAMPLE_PIXELS;
  const initial = format === 'jpg' ? WASM_INITIAL.jpegTurbo : format === 'webp' ? WASM_INITIAL.webpDec : WASM_INITIAL.avifDec;
  const decoder = decoderLoaded ? 0 : initial;
  return decoder + px * 9 + px * 4 * 3 + px * 4 * 10 + SLACK;
}

/** Largest sample the q_auto search encodes (codecs/quality/auto-quality.ts SAMPLE_PIXELS). */
export const SEARCH_SAMPLE_PIXELS = 6 * 128 * 128;

function encoderCost(
  format: 'jpg' | 'png' | 'webp' | 'avif' | 'gif',
  width: number,
  height: number,
  progressive: boolean,
  px: number,
  quality: number,
  alpha: boolean,
  chroma444: boolean,
): number {
  switch (format) {
    case 'jpg': {
      // 4:4:4 (q_<n>:444): three 8x8 blocks per 8x8 pixels, 6 B per padded pixel of coefficients
      // instead of 3 (the fixed-table streaming path below is 4:2:0 only). mozjpeg at 4:4:4
      // measured (noise, q90, test/pixels/memory-444.test.ts): 2000x1500 -> 143.5 MiB, ~44.6 B/px
      // over its initial memory: modelled 50 B/px.
      if (!progressive && chroma444) {
        const padded8 = Math.ceil(width / 8) * 8 * Math.ceil(height / 8) * 8;
        return WASM_INITIAL.jpegEnc + width * 4 * 16 + padded8 * 6 + px * 6 + SLACK;
      }
      if (chroma444) return WASM_INITIAL.mozjpegEnc + px * 50 + SLACK;
      if (!progressive && px > JPEG_STREAM_PIXELS) {
        // Fixed tables (encode.ts encodeJpegFixed): a 16-row strip and one MCU row's worst-case
        // output (12 B per strip pixel) in WASM; in JS the coded rows and the file they are
        // joined into.
        return WASM_INITIAL.jpegEnc + width * 4 * 16 + width * 16 * 12 + 4096 + px * 2 * byQuality(quality, JPEG_FIXED_CODED) + SLACK;
      }
      if (!progressive) {
        // encode-jpeg.ts: a 16-row strip, quantised coefficients of the MCU-padded image (3 per
        // padded pixel) and an output area of twice the entropy-coded size the analysis counted
        // (room for 0xFF stuffing), then the JS copy of the output: 3 + 3 x JPEG_CODED(q) B/px.
        // The raster it encodes (4 B/px) is counted by the caller unless streamed.
        const padded = Math.ceil(width / 16) * 16 * Math.ceil(height / 16) * 16;
        return WASM_INITIAL.jpegEnc + width * 4 * 16 + padded * 3 + px * 3 * byQuality(quality, JPEG_CODED) + 1024 + SLACK;
      }
      // mozjpeg (progressive): embind copies the RGBA into a std::string (4), the whole image's
      // coefficients (3), scan optimisation buffers, output, heap overshoot. Measured (noise, q90):
      // 2000x1500 -> 66.8 MiB, 3001x1999 -> 115.4 MiB, i.e. ~17.5 B/px over 16 MiB: modelled 20 B/px.
      return WASM_INITIAL.mozjpegEnc + px * 20 + SLACK;
    }
    case 'png': {
      // encode-png.ts: the filtered rows (RGB when opaque, else RGBA, and a filter byte a row),
      // written straight into libdeflate's memory, the zlib output beside them (bounded by about
      // the input) and the PNG file built from it in JS; a few rows in the filter kernel.
      const filtered = px * (alpha ? 4 : 3) + height;
      return WASM_INITIAL.deflate + WASM_INITIAL.pngFilter + filtered * 3 + SLACK;
    }
    case 'webp': {
      // The RGBA twice (embind's argument and the std::string made of it, 8), the YUV picture (1.5),
      // analysis buffers, the output and heap overshoot; the buffered path also every token of the
      // image (WEBP_BUFFERED), in the isolate's shared instance, whose heap earlier encodes have
      // grown and fragmented. An alpha plane is compressed losslessly (VP8L): its hash chains and
      // backward references measured 16 B/px (a gradient) to 28 B/px (noise) at 2000x1500.
      // emscripten grows the heap by at least 20% of its size at a time: up to 1.2x the need.
      // Then embind copies the result out into JS: up to 1.26 B/px measured (binary noise, q100),
      // 2.12 with a noise alpha plane.
      const output = px * (alpha ? 2.3 : 1.4);
      if (px > WEBP_LOW_MEMORY_PIXELS) {
        // A fresh instance per encode (codecs/jsquash.ts fresh(), codecs/webp/encode.ts), dropped
        // after it: the heap starts at 0.11 MiB and grows only for this encode's need, to at most
        // 1.2x it. Need (the highest byte an encode
        // writes in a new instance, bench/webp-memory.mjs, 1001x1000 to 4000x1000 and 1000x4000,
        // q50 to q100; the largest growth request is up to 10% lower, emscripten's overgrowth
        // having made room): binary noise 13.39 B/px at q100, 12.55 at q80, 11.65 at q50, a photo
        // 9.8; with a noise alpha plane 48.6-48.9 B/px (42.0 at 2309x1732 q80).
        const need = WEBP_ENC_HEAP_START + px * (WEBP_LOW_MEMORY_NEED + (alpha ? WEBP_ALPHA_NEED : 0));
        return Math.max(WASM_INITIAL.webpEnc, 1.2 * need) + PAGE + output;
      }
      return 1.2 * (WASM_INITIAL.webpEnc + px * (byQuality(quality, WEBP_BUFFERED) + (alpha ? 28 : 0))) + SLACK + output;
    }
    case 'avif':
      // Our libaom build (codecs/avif/encode.ts): the RGBA copy, freed once the YUV (and alpha)
      // planes are made, aom's frame buffers and search state, the output. Measured at speed 8
      // (bench/avif-build.mjs --memory, a fresh instance, Kodak photo at q64): 800x600 -> 19.3 MiB,
      // 2048x1536 -> 71.3 MiB, ~18 B/px over 16 MiB (@jsquash/avif's libavif + aom needed 23.1 and
      // 97.4 MiB, ~27 B/px); with an alpha ramp (--alpha: its planes and a second aom context)
      // 76.7 MiB at 2048x1536, ~20 B/px: kept at 30 B/px. Only used up to AVIF_MAX_PIXELS (plan/output.ts): larger AVIF is encoded as WebP.
      return WASM_INITIAL.avifEnc + px * 30 + SLACK;
    case 'gif':
      // One frame: the histogram and its sums (32 K bins, 28 B), the index map and the indices (1 B/px),
      // the LZW codes (at most 12 bits per pixel) and the sub-blocked copy of them.
      return QUANTIZE_BYTES + px * (1 + 1.5 * 2) + SLACK;
  }
}

/** codecs/quantize.ts: 32 K bins of counts and colour sums, the bin-to-index map, the box lists. */
export const QUANTIZE_BYTES = (1 << 15) * (4 + 24 + 2 + 8);

/** Worst-case bytes of one GIF frame of `px` pixels (12-bit codes, sub-block lengths, its colour table and blocks). */
export function gifFrameBytes(px: number): number {
  return Math.ceil(px * 1.5 * (256 / 255)) + 800;
}

/**
 * Bytes one lossy WebP frame of `px` pixels is allowed in an animation (codecs/webp/animation.ts
 * keeps every frame until the end): photos code to well under 1 B/px at q_80, noise at q_100 to
 * about 1.2; the writer refuses (400) an animation whose frames outgrow this.
 */
export function webpFrameBytes(px: number): number {
  return Math.ceil(px * 1.5) + 1024;
}

/**
 * Extra bytes of a separable filter pass through resample-wasm.ts (resize, Gaussian blur): the
 * kernel streams rows, so its memory holds the taps, a ring of `taps` 16-bit rows of the source
 * width, a float row, a row in and a band of 16 rows out; the JS result (counted by the caller)
 * is the only image-sized buffer.
 */
export function filterCost(inW: number, outW: number, outH: number, taps: number): number {
  return WASM_INITIAL.resample + taps * inW * 8 + 2 * inW * 16 + (outW + outH) * 4 * (taps + 1) + outW * 4 * 16 + SLACK;
}

/**
 * The largest JPEG DCT scale denominator whose output still covers the target:
 * ceil(w/s) >= targetWidth and ceil(h/s) >= targetHeight. 1/8 keeps only each block's DC (an 8x8
 * box filter, which aliases and blurs): it is used only when a resize by 2 or more follows.
 * Measured on a 50 MP Kodak upscale to 1000 px wide, PSNR against a full decode + Lanczos3:
 * 1/8 31.7 dB, 1/4 39.4 dB, sharp 39.4 dB; to 500 px (factor 2.2 after 1/8): 1/8 33.8 dB, sharp 30.2 dB.
 * 1 for other formats.
 */
export function chooseShrink(header: ImageHeader, targetWidth: number, targetHeight: number): 1 | 2 | 4 | 8 {
  if (header.format !== 'jpg') return 1;
  for (const s of [8, 4, 2] as const) {
    const room = s === 8 ? 2 : 1;
    if (Math.ceil(header.width / s) >= targetWidth * room && Math.ceil(header.height / s) >= targetHeight * room) return s;
  }
  return 1;
}

/**
 * CPU work model, beside the memory model: nanoseconds each step takes on one core, estimated
 * from sizes alone before anything is decoded (plan/cost/work.ts refuses a plan over its budget).
 * Constants are nanoseconds per pixel (or per filter tap), calibrated in local workerd by
 * bench/workerd/work-calibration.test.ts (npm run bench:workerd), which logs measured against modelled milliseconds per step
 * kind. Measured there on a shared 2-core machine (load ~5.5, where the benchmark cases of
 * bench/delivery.mjs ran 2.4-3x slower than in the README's table) and divided by that factor, then
 * set ~1.5x above: the model is meant to overestimate an unloaded core, never to let a chain that
 * computes for seconds through. Noted per constant: the measured rate, unloaded.
 */
export const WORK_NS = {
  /** JPEG: Huffman decoding of every source pixel (progressive: every scan, then the IDCT of every block), then the scaled IDCT and colour conversion per output pixel. 50 MP at 1/8: ~1.8 ns/px; 24 MP at 1/2: ~3.8 ns/px. */
  jpegEntropy: 3,
  jpegProgressive: 12,
  jpegOutput: 15,
  /** CMYK/YCCK → sRGB per output pixel (ops/icc-cmyk.ts, 8 grid lookups per channel): ~130 ns/px on the shared machine under load. */
  cmykToSrgb: 130,
  /** BMP and TIFF (codecs/bmp, codecs/tiff: TS loops per pixel, LZW or inflate for TIFF): not measured, set above PNG's. */
  bmp: 10,
  tiff: 30,
  /** SVG (resvg, codecs/svg/decode.ts): per rendered pixel (fill, then un-premultiplying in TS), and per render (parsing, fonts). */
  svg: 40,
  svgSetup: 5e7,
  /** PNG (inflate + unfilter): ~9 ns/px (3 MP RGBA). */
  png: 20,
  /** WebP (lossy): ~14 ns/px. */
  webp: 30,
  gif: 20,
  /** An animation's frame handed out: the canvas copied and scanned for alpha, per canvas pixel (codecs/gif/frames.ts, codecs/webp/animation.ts). */
  frameCopy: 4,
  /** Each frame decoded, whatever its size: its blocks read, the LZW tables or libwebp's call. */
  frameDecode: 5e4,
  /** Each frame of an animation, whatever its size: the quantiser's histogram or libwebp's picture setup, the frame's row streams and steps (~0.9 ms for a 40x40 GIF frame in Node). */
  animationFrame: 3e6,
  /** dav1d + libavif: ~135 ns/px (1600x1200 4:4:4). */
  avifDecode: 200,
  /** Resample kernel, per tap of either pass (3000x2000 -> 2400x1600: ~0.6 ns/tap), plus loading each source row. */
  tap: 0.8,
  rowLoad: 3,
  /** A JS loop over RGBA pixels (crop, flip, rotate, pad, grayscale, opacity, flatten, orient, ICC): 2-12 ns/px. */
  move: 15,
  /** a_ at any angle: inverse mapping and bilinear sampling per output pixel (ops/rotate-any.ts): ~41 ns/px on the shared machine under load, test/ops/geometry.test.ts. */
  rotateAny: 40,
  /** r_: the corner masks' coverage per pixel, ~27 ns/px. */
  roundCorners: 40,
  /** g_auto's saliency map, per input pixel: ~14 ns/px. */
  saliency: 40,
  /** e_outline: two chamfer distance passes and the band, per canvas pixel. */
  outline: 120,
  /** e_replace_color: every pixel to CIE L*a*b*, those near the source back (1 MP: ~50 ns/px when few move, ~200 when all do). */
  lab: 250,
  /** e_cartoonify: Sobel, the line test, posterising. */
  cartoonify: 80,
  /** e_oil_paint: one histogram update per window pixel, ~3 ns in a JS loop. */
  oilPaintTap: 6,
  /** Blur above BOX_SIGMA: three running-box passes per axis in JS, independent of sigma: ~140 ns/px (2000x1500). */
  boxBlur: 200,
  /** Unsharp mask/detail: the difference and clamp per pixel after the blur. */
  sharpenCombine: 20,
  composite: 20,
  /** l_text: per pixel of the box, the coverage accumulation and the colour fill; per glyph, per pixel row of its em, its outline's edges. */
  text: 15,
  textGlyphRow: 40,
  /** Own baseline encoder: ~3.5 ns/px (2560x1708). */
  encodeJpeg: 10,
  /** mozjpeg progressive with scan optimisation: ~20 ns/px. */
  encodeJpegProgressive: 40,
  /** PNG filter + deflate: 60-140 ns/px (photos, 60k to 2.5 MP). */
  encodePng: 150,
  /** GIF (codecs/gif/encode.ts) and PNG8: the histogram, median cut and index pass, then LZW or deflate of one byte per pixel, in JS: 100-150 ns/px in Node on the shared machine (200x184 frames, flat to noise). */
  encodeGif: 150,
  /** libwebp: 70-115 ns/px (photos, 0.5-1.1 MP). */
  encodeWebp: 150,
  /**
   * aom at speed 8 (AVIF_SPEED, our build) costs a setup per encode plus a rate per pixel. Measured
   * in workerd on the noisy 800x600 fixture (test/codecs/encode.test.ts): 170-190 ms; Kodak photos
   * at 800x600 in Node 136 ms median, 275 ms the slowest (bench/avif-build.mjs).
   */
  encodeAvifSetup: 50e6,
  encodeAvif: 350,
  /** q_auto's search: probes on a sample of at most SEARCH_SAMPLE_PIXELS, per sample pixel (encode + decode + SSIM per probe): 110-220 ms on a full sample. */
  autoQualityPerSamplePixel: 3000,
} as const;

/** Above this sigma the blur runs as box passes (ops/blur.ts BOX_SIGMA). */
const BOX_SIGMA = 10;

export function decodeWork(header: ImageHeader, shrink: 1 | 2 | 4 | 8): number {
  const px = header.width * header.height;
  switch (header.format) {
    case 'jpg': {
      const out = Math.ceil(header.width / shrink) * Math.ceil(header.height / shrink);
      const cmyk = header.components === 4 ? out * WORK_NS.cmykToSrgb : 0;
      return px * (header.progressive ? WORK_NS.jpegProgressive : WORK_NS.jpegEntropy) + out * WORK_NS.jpegOutput + cmyk;
    }
    case 'png':
      return px * WORK_NS.png;
    case 'webp':
      return px * WORK_NS.webp;
    case 'gif':
      return px * WORK_NS.gif;
    case 'avif':
      return px * WORK_NS.avifDecode;
    case 'bmp':
      return px * WORK_NS.bmp;
    case 'tiff':
      return px * WORK_NS.tiff;
    case 'svg':
      return px * WORK_NS.svg + WORK_NS.svgSetup;
  }
}

/**
 * Decoding the first `frames` frames of an animation: the pixels of their rectangles (the
 * header's frameArea, which bounds any first frames of it; every frame at screen size without it)
 * at the format's rate, and each frame's copy of the canvas.
 */
export function framesDecodeWork(header: ImageHeader, frames: number): number {
  const px = header.width * header.height;
  const area = Math.min(header.frameArea ?? frames * px, frames * Math.max(4 * px, 1 << 16));
  return area * (header.format === 'webp' ? WORK_NS.webp : WORK_NS.gif) + frames * (px * WORK_NS.frameCopy + WORK_NS.frameDecode);
}

/** Lanczos3 taps per output sample along one axis (resample.ts buildTaps: support 3, stretched by the shrink factor). */
export function resizeTaps(inSize: number, outSize: number, widen = 1): number {
  return Math.ceil(3 * Math.max(1, inSize / outSize) * widen) * 2 + 1;
}

/** The streamed separable filter (resample-wasm.ts): per output row, the vertical taps over the source width, then the horizontal taps over the output width. */
export function resizeWork(inW: number, inH: number, outW: number, outH: number, widen = 1): number {
  const tx = resizeTaps(inW, outW, widen);
  const ty = resizeTaps(inH, outH, widen);
  return outH * (inW * ty + outW * tx) * WORK_NS.tap + inW * inH * WORK_NS.rowLoad;
}

/** Gaussian blur of a width x height raster (ops/blur.ts): sampled kernel of radius ceil(3 sigma) up to BOX_SIGMA, box passes above. */
export function blurWork(width: number, height: number, sigma: number): number {
  const px = width * height;
  if (sigma > BOX_SIGMA) return px * WORK_NS.boxBlur;
  const taps = 2 * Math.ceil(3 * sigma) + 1;
  return height * width * taps * 2 * WORK_NS.tap + px * WORK_NS.rowLoad;
}

const ENCODE_NS = { jpg: WORK_NS.encodeJpeg, png: WORK_NS.encodePng, webp: WORK_NS.encodeWebp, avif: WORK_NS.encodeAvif, gif: WORK_NS.encodeGif } as const;

export function encodeWork(format: 'jpg' | 'png' | 'webp' | 'avif' | 'gif', width: number, height: number, progressive = false, autoQuality = false): number {
  const px = width * height;
  const perPixel = format === 'jpg' && progressive ? WORK_NS.encodeJpegProgressive : ENCODE_NS[format];
  const setup = format === 'avif' ? WORK_NS.encodeAvifSetup : 0;
  const search = autoQuality && format !== 'png' && format !== 'gif' ? Math.min(px, SEARCH_SAMPLE_PIXELS) * WORK_NS.autoQualityPerSamplePixel : 0;
  return setup + px * perPixel + search;
}
