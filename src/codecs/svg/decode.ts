/**
 * SVG → RGBA with resvg (@cf-wasm/resvg, resvg-wasm 2.6.2), rendered at the size the plan asks for
 * (not at the intrinsic size and then resampled): scaled to cover it, aspect kept, the at most one
 * pixel that resvg's rounding adds cropped evenly. Text is drawn with the project's text-layer
 * fonts, loaded only for SVGs that have <text>.
 */
import { initResvg, Resvg, type ResvgRenderOptions } from '@cf-wasm/resvg/others';
import resvgWasm from '@cf-wasm/resvg/resvg.wasm';
import { memoryOf, registerWasmMemory } from '../../kernels/memory';
import dejavuRegular from '../../plan/text/fonts/DejaVuSans.ttf';
import monoBold from '../../plan/text/fonts/LiberationMono-Bold.ttf';
import monoItalic from '../../plan/text/fonts/LiberationMono-Italic.ttf';
import monoRegular from '../../plan/text/fonts/LiberationMono-Regular.ttf';
import sansBold from '../../plan/text/fonts/LiberationSans-Bold.ttf';
import sansItalic from '../../plan/text/fonts/LiberationSans-Italic.ttf';
import sansRegular from '../../plan/text/fonts/LiberationSans-Regular.ttf';
import serifBold from '../../plan/text/fonts/LiberationSerif-Bold.ttf';
import serifItalic from '../../plan/text/fonts/LiberationSerif-Italic.ttf';
import serifRegular from '../../plan/text/fonts/LiberationSerif-Regular.ttf';
import { ImageError } from '../../pixels/errors';
import { createRaster, type Raster } from '../../pixels/raster';
import type { ImageHeader, Size } from '../../plan/steps';
import { checkSvgSafety, svgText } from './header';

const FONTS = [sansRegular, sansBold, sansItalic, serifRegular, serifBold, serifItalic, monoRegular, monoBold, monoItalic, dejavuRegular];

let ready: Promise<void> | null = null;

/**
 * wasm-bindgen instantiates with WebAssembly.instantiate and keeps the instance to itself: the
 * call is intercepted, for resvg's module only, to register its memory for wasmMemory().
 */
function init(): Promise<void> {
  ready ??= (async () => {
    const original = WebAssembly.instantiate;
    const intercept = async (source: unknown, imports?: WebAssembly.Imports) => {
      if (source !== resvgWasm) return (original as (s: unknown, i?: WebAssembly.Imports) => Promise<unknown>)(source, imports);
      const instance = new WebAssembly.Instance(resvgWasm, imports);
      registerWasmMemory('resvg', memoryOf(instance.exports));
      return instance;
    };
    WebAssembly.instantiate = intercept as typeof WebAssembly.instantiate;
    try {
      await initResvg(resvgWasm);
    } finally {
      WebAssembly.instantiate = original;
    }
  })();
  return ready;
}

export async function decodeSvg(bytes: Uint8Array, header: ImageHeader, target: Size): Promise<Raster> {
  const text = svgText(bytes);
  checkSvgSafety(text);
  await init();
  const byWidth = target.width / header.width >= target.height / header.height;
  const options: ResvgRenderOptions = {
    fitTo: byWidth ? { mode: 'width', value: target.width } : { mode: 'height', value: target.height },
    font: header.svgText
      ? {
          fontBuffers: FONTS.map((f) => new Uint8Array(f)),
          defaultFontFamily: 'Liberation Sans',
          sansSerifFamily: 'Liberation Sans',
          serifFamily: 'Liberation Serif',
          monospaceFamily: 'Liberation Mono',
        }
      : { fontBuffers: [] },
  };
  let pixels: Uint8Array;
  let w: number;
  let h: number;
  let svg: InstanceType<typeof Resvg> | undefined;
  try {
    svg = new Resvg(text, options);
    const image = svg.render();
    ({ width: w, height: h } = image);
    pixels = image.pixels;
    (image as { free?: () => void }).free?.();
  } catch (e) {
    throw new ImageError(`Invalid SVG: ${e instanceof Error ? e.message : String(e)}`.slice(0, 200), 400);
  } finally {
    svg?.free();
  }
  // resvg rounds the scaled size: one pixel short of the plan's is its rounding, repeated from the edge.
  if (w < target.width - 1 || h < target.height - 1)
    throw new ImageError(`SVG rendered to ${w}x${h}, smaller than the planned ${target.width}x${target.height}`, 400);
  return unpremultiplied(pixels, w, h, Math.max(0, Math.floor((w - target.width) / 2)), Math.max(0, Math.floor((h - target.height) / 2)), target);
}

/** resvg's pixels are premultiplied (tiny-skia): the raster's are straight. */
function unpremultiplied(src: Uint8Array, srcWidth: number, srcHeight: number, x0: number, y0: number, size: Size): Raster {
  const out = createRaster(size.width, size.height, true);
  const d = out.data;
  let opaque = true;
  for (let y = 0; y < size.height; y++) {
    const row = Math.min(y + y0, srcHeight - 1) * srcWidth;
    let o = y * size.width * 4;
    for (let x = 0; x < size.width; x++, o += 4) {
      const s = (row + Math.min(x + x0, srcWidth - 1)) * 4;
      const a = src[s + 3];
      if (a === 255) {
        d[o] = src[s];
        d[o + 1] = src[s + 1];
        d[o + 2] = src[s + 2];
      } else if (a > 0) {
        opaque = false;
        d[o] = Math.min(255, Math.round((src[s] * 255) / a));
        d[o + 1] = Math.min(255, Math.round((src[s + 1] * 255) / a));
        d[o + 2] = Math.min(255, Math.round((src[s + 2] * 255) / a));
      } else opaque = false;
      d[o + 3] = a;
    }
  }
  out.opaque = opaque;
  return out;
}
