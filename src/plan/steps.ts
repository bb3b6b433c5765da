/**
 * The plan's vocabulary, a leaf module: the original's header as the planner sees it, the steps it
 * hands to the pixel executors (each knowing the size it outputs) and the plan itself. The pixel
 * side imports these types; the plan imports nothing from the pixel side.
 */
import type { Color } from '../url/colors';
import type { Component, OutputFormat, Quality } from '../url/params';
import type { ShippedFace } from '../url/text-layer';
import type { PlacedGlyph, TextRule } from './text/layout';

/** A background or fill colour, RGBA 0-255. */
export type Rgba = Color;

/** q_auto's levels (codecs/quality/search.ts has their SSIM targets). */
export type AutoLevel = Extract<Quality, { kind: 'auto' }>['level'];

export type ImageFormat = 'jpg' | 'png' | 'webp' | 'gif' | 'avif' | 'bmp' | 'tiff' | 'svg';

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
  hasAlpha: boolean;
  /** EXIF orientation 1..8 (JPEG APP1 only); 1 when absent or invalid. */
  orientation: number;
  /** JPEG progressive SOF (SOF2 Huffman or SOF10 arithmetic): decoding buffers every DCT coefficient. */
  progressive: boolean;
  animated: boolean;
  /** Animated GIF and WebP: the number of frames, counted from the container before any pixel is decoded. */
  frames?: number;
  /** With `frames`: the pixels all the frames decode (their rectangles on the screen), read from the container. */
  frameArea?: number;
  /** JPEG: colour components in the frame (1, 3, or 4 for CMYK/YCCK). PNG: channels after expansion. */
  components: number;
  /** JPEG chroma subsampling name: '4:4:4', '4:2:2', '4:2:0', '4:4:0', '4:1:1', 'gray', or 'HxV,...'. */
  sampling?: string;
  /** JPEG: sampling factors of each component, [h0, v0, h1, v1, ...]. */
  samplingFactors?: number[];
  /** PNG bit depth per sample (1..16). */
  bitDepth?: number;
  /** TIFF: bytes of its largest strip or tile, decompressed (the decoder holds one at a time). */
  chunkBytes?: number;
  /** Embedded ICC profile (JPEG APP2 chunks joined, WebP ICCP), converted to sRGB by ops/icc.ts. */
  icc?: Uint8Array;
  /** SVG: it has <text> (rendering loads the fonts). */
  svgText?: boolean;
  /** SVG: the pixels of its embedded data:image/ rasters (resvg decodes each). */
  svgEmbeddedPixels?: number;
  /** PNG iCCP: the profile, still deflated. */
  iccDeflated?: Uint8Array;
}

/**
 * Row-major 3x4 affine colour matrix on 0-255 values: R' = m[0] R + m[1] G + m[2] B + m[3], then
 * G' (m[4..7]) and B' (m[8..11]). Alpha is kept.
 */
export type ColorMatrix = readonly [number, number, number, number, number, number, number, number, number, number, number, number];

/** A tone curve applied to R, G and B alike, on values scaled to 0..1 (ops/color.ts builds its table). */
export type ToneCurve =
  /** out = in^(1/gamma). */
  | { gamma: number }
  /** ImageMagick's sigmoidal contrast around 0.5; a negative strength is its inverse (less contrast). */
  | { sigmoid: number }
  /** 1 at and above the threshold (0..1), 0 below. */
  | { threshold: number }
  /** Input range [inLow, inHigh] stretched linearly onto [outLow, outHigh], clamped. */
  | { levels: readonly [number, number, number, number] };

export type ColorStage =
  | { matrix: ColorMatrix }
  | { curve: ToneCurve }
  /** Saturation around the luma, by 1 + amount * (1 - the pixel's saturation): weak colours gain most. */
  | { vibrance: number }
  /** e_tint: the pixel's luma picks a colour on the gradient through `stops` (0..100), mixed in by `amount` (0..1). */
  | { gradient: readonly { color: Rgba; at: number }[]; amount: number }
  /** e_opacity_threshold: alpha below the threshold (0..1) becomes 0, the rest 255. */
  | { alphaThreshold: number };

/** A rectangle of the step's input, in pixels (clipped to it). */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Size {
  width: number;
  height: number;
}

/** b_auto: the padding's colour, picked from the image's pixels when the step runs (ops/pad-auto.ts). */
export interface AutoFill {
  kind: 'auto';
  from: 'border' | 'predominant';
  contrast: boolean;
  palette?: readonly Rgba[];
  /** A gradient of the top 2 or 4 colours (ops/pad-auto.ts). */
  gradient?: { colors: 2 | 4; direction: 'horizontal' | 'vertical' | 'diagonal_desc' | 'diagonal_asc' };
}
/** b_blurred: the image scaled to cover the canvas, blurred by `sigma` px, brightness shifted by `brightness` % (ops/pad-blurred.ts). */
export interface BlurredFill {
  kind: 'blurred';
  sigma: number;
  brightness: number;
}
/** What fills a padding. */
export type PadFill = { kind: 'color'; color: Rgba } | AutoFill | BlurredFill;

export type BlendMode = 'multiply' | 'screen' | 'overlay' | 'anti_removal';

export type Step =
  /** `frames`: an animation's frames composited one after another (GIF, animated WebP): pg_'s frame is the last, or every frame of an animated plan. */
  | ({ op: 'decode'; shrink: 1 | 2 | 4 | 8; frames?: number } & Size)
  /** The embedded ICC profile (the header's) converted to sRGB (ops/icc.ts). */
  | ({ op: 'icc' } & Size)
  | ({ op: 'orient'; orientation: number } & Size)
  /** Lanczos3; `widen` > 1 stretches the kernel further than the scale (premium downscaling's prefilter). */
  | ({ op: 'resize'; widen?: number } & Size)
  | ({ op: 'crop'; x: number; y: number } & Size)
  /** g_auto: the window's position is chosen from the pixels at run time; its size is fixed here. */
  | ({ op: 'crop-auto' } & Size)
  | ({ op: 'pad'; x: number; y: number; background: Rgba } & Size)
  | ({ op: 'rotate'; degrees: 90 | 180 | 270 } & Size)
  /** Any other angle (clockwise): the canvas is the rotated bounds, the corners `background`, bilinear sampling (ops/rotate-any.ts). */
  | ({ op: 'rotate-any'; degrees: number; background: Rgba } & Size)
  /** b_auto padding: as `pad`, the colour chosen from the image's pixels when the step runs. */
  | ({ op: 'pad-auto'; x: number; y: number; fill: AutoFill } & Size)
  /** b_blurred padding: as `pad`, over a blurred copy of the image covering the canvas. */
  | ({ op: 'pad-blurred'; x: number; y: number; fill: BlurredFill } & Size)
  /**
   * c_fill_pad,g_auto: the scale between fit and fill is chosen from the pixels when the step runs
   * (the largest that keeps the salient box whole), cropped where the image overflows, padded where
   * it does not cover (ops/fill-pad.ts). The output size is fixed here.
   */
  | ({ op: 'fill-pad'; fill: PadFill } & Size)
  /** bo_: `size` px of `color` around the image (the canvas grows by 2 size); with `radii` (r_ in the component) it follows the rounded corners. */
  | ({ op: 'border'; size: number; color: Rgba; radii?: readonly [number, number, number, number] | 'max' } & Size)
  | ({ op: 'flip'; axis: 'horizontal' | 'vertical' } & Size)
  | ({ op: 'grayscale' } & Size)
  /** Colour effects (plan/effects.ts): per-pixel stages in order; consecutive colour steps are joined into one. */
  | ({ op: 'color'; stages: readonly ColorStage[] } & Size)
  /** `region`: only that rectangle is blurred (e_blur_region), its surroundings read as its edges. */
  | ({ op: 'blur'; sigma: number; region?: Rect } & Size)
  /** Squares of `block` pixels replaced by their average (e_pixelate, e_pixelate_region). */
  | ({ op: 'pixelate'; block: number; region?: Rect } & Size)
  /**
   * e_trim: cropped to the pixels farther than `tolerance` (0..1 of the RGB distance) from `color`
   * or the top-left pixel. Width and height are the upper bound, the input's: the real size is
   * known only from the pixels, and the steps after it are planned again for it (Plan.afterTrim).
   */
  | ({ op: 'trim'; tolerance: number; color?: Rgba } & Size)
  /** e_ordered_dither: each channel to 0 or 255 against the tiled threshold `map` (`size` x `size`, values 0..1). */
  | ({ op: 'dither'; map: readonly number[]; size: number } & Size)
  /** e_assist_colorblind stripes: reds and greens get darker diagonal stripes, opposite diagonals, by `strength` (0..1). */
  | ({ op: 'colorblind-stripes'; strength: number } & Size)
  /** Darkens towards the corners: brightness times 1 - strength * (distance from the centre / half diagonal)^2. */
  | ({ op: 'vignette'; strength: number } & Size)
  /** Uniform noise of +-amount on R, G, B, from a generator seeded by `seed` (the same URL gives the same bytes). */
  | ({ op: 'noise'; amount: number; seed: number } & Size)
  /** Oil paint: each pixel takes the mean colour of the most frequent intensity level within `radius`. */
  | ({ op: 'oil-paint'; radius: number; levels: number } & Size)
  /** Pixels within `tolerance` (0..1 of the RGB distance) of `color`, or of the top-left pixel's colour, become transparent. */
  | ({ op: 'make-transparent'; tolerance: number; color?: Rgba } & Size)
  /** e_replace_color: `radius` is a ΔE76 distance from `from` (absent: the image's most prominent strong colour). */
  | ({ op: 'replace-color'; to: Rgba; radius: number; from?: Rgba } & Size)
  /**
   * Tone corrections measured on the image at run time (e_auto_*, e_improve, e_fill_light), each in
   * order, mixed with the original by `blend` (0..1): `levels` stretches the luma's 0.5%-99.5% range,
   * `channel-levels` each channel's, `gamma` brings the mean luma to the middle, `shadows` lifts the
   * dark tones by `amount` (0..1).
   */
  | ({ op: 'auto-tone'; corrections: readonly ('levels' | 'channel-levels' | 'gamma' | 'shadows' | 'equalize')[]; blend: number; amount: number } & Size)
  /**
   * e_shadow: the image's silhouette in `color`, blurred by `sigma`, offset by (dx, dy), under the
   * image, whose top-left lands at (baseX, baseY) of the grown canvas (the size of the step).
   */
  | ({ op: 'shadow'; color: Rgba; sigma: number; dx: number; dy: number; baseX: number; baseY: number } & Size)
  /** e_outline (ops/outline.ts): bands of `thickness` px outside and/or inside the alpha edge, or the fill, in `color`; the image at (baseX, baseY). */
  | ({ op: 'outline'; color: Rgba; thickness: number; sigma: number; outer: boolean; inner: boolean; fill: boolean; baseX: number; baseY: number } & Size)
  /** e_cartoonify: posterised colours (or gray) and dark lines along strong edges. */
  | ({ op: 'cartoonify'; edge: number; lineWidth: number; levels: number; bw: boolean } & Size)
  /** Alpha times (distance from the edge / depth)^power within `depth` pixels of an edge (and of the opposite one too when symmetric). */
  | ({ op: 'gradient-fade'; edge: 'top' | 'bottom' | 'left' | 'right'; depth: number; power: number; symmetric: boolean } & Size)
  | ({ op: 'sharpen'; sigma: number; amount: number } & Size)
  /** Unsharp mask clamped to each pixel's 3x3 range: detail without halos (premium downscaling). */
  | ({ op: 'detail'; sigma: number; amount: number } & Size)
  | ({ op: 'round-corners'; radii: readonly [number, number, number, number] | 'max' } & Size)
  | ({ op: 'opacity'; percent: number } & Size)
  | ({ op: 'flatten'; background: Rgba } & Size)
  /**
   * l_/u_ (plan/layers.ts): the layer rendered by its own plan, placed with its top-left at (x, y)
   * of the output canvas (size of the step), over (or under) the image, whose top-left lands at
   * (baseX, baseY); tiled repeats the layer over the whole canvas.
   */
  /**
   * `cutter`: the layer's alpha cuts the image instead of covering it (fl_cutter, e_mask; `inverse`: e_cut_out);
   * `blend`: a separable blend mode of the layer's colours with the image's (e_multiply, e_screen, e_overlay), or
   * e_anti_removal's jitter of the layer at `level` (0..1).
   */
  | ({
      op: 'composite';
      layer: LayerPlan;
      under: boolean;
      tiled: boolean;
      cutter?: true | 'inverse';
      blend?: BlendMode;
      level?: number;
      x: number;
      y: number;
      baseX: number;
      baseY: number;
    } & Size)
  /**
   * l_text: (plan/text/layout.ts) the glyphs of `face` at `size` pixels (`scale` per font unit), placed in a
   * box of the step's size, filled with `background`, in `color`; the first step of a text layer.
   */
  | ({
      op: 'text';
      face: ShippedFace;
      size: number;
      scale: number;
      glyphs: readonly PlacedGlyph[];
      rules: readonly TextRule[];
      color: Rgba;
      background: Rgba;
    } & Size)
  /** `auto`: q_auto, the quality is searched on the rendered raster (`quality` is the fallback). */
  | ({
      op: 'encode';
      format: OutputFormat;
      quality: number;
      progressive: boolean;
      auto?: AutoLevel;
      chroma444?: true;
      png8?: boolean;
      lossy?: boolean;
      frames?: number;
      /** e_loop: plays of the animation (0: forever), instead of the original's. */
      loops?: number;
      /** The raster may have transparency (PNG, WebP and AVIF keep it): their encoders' memory depends on it. */
      alpha?: true;
    } & Size);

export interface OutputSpec {
  format: OutputFormat;
  quality: number;
  progressive: boolean;
  /** q_auto level: the quality is searched on the rendered raster (src/codecs/quality/auto-quality.ts). */
  auto?: AutoLevel;
  /** q_<n>:444: JPEG without chroma subsampling (only JPEG or PNG are chosen then). */
  chroma444?: true;
  /** Every frame of an animated original is wanted (the planner may still serve the first: plan/animation.ts). */
  animate?: boolean;
  /** e_loop: plays of the animation (0: forever), instead of the original's. */
  loops?: number;
  /** fl_png8: an indexed PNG of at most 256 colours. */
  png8?: boolean;
  /** fl_lossy on GIF: lossy LZW, its tolerance from the quality. */
  lossy?: boolean;
  /** fl_keep_iptc: the JPEG original's IPTC and XMP copied into the JPEG output (codecs/jpeg/metadata.ts). */
  keepMetadata?: true;
}

export interface PlanInput {
  /** Parsed components with client hints already resolved. */
  components: readonly Component[];
  header: ImageHeader;
  /** Size of the original's bytes, held for the whole request. */
  inputBytes: number;
  output: OutputSpec;
  /**
   * Bytes the caller holds or adds beside the steps, given the decoded size (the alpha of an AI
   * result: delivery/ai.ts alphaFromSource); counted in the peak like any step.
   */
  extraBytes?: (decoded: Size) => number;
  /** The originals that `l_`/`u_` name, headers read (plan/layers.ts). */
  layers?: LayerSources;
  /** The cloud has premium downscaling on (plan/premium.ts); `fl_premium_downscaling` turns it on per URL. */
  premium?: boolean;
}

export interface Streaming {
  /** Leading steps (the decode included) that stream. */
  steps: number;
  /** The encode consumes the stream: no image-sized raster at all. */
  encode: boolean;
}

export interface Plan {
  steps: Step[];
  /** Which leading steps run on the row stream (plan/stream.ts), for the estimate and the executor alike. */
  streamed: Streaming;
  /** Output size. */
  width: number;
  height: number;
  /** Estimated peak bytes (JS buffers and WASM growth) of the whole request. */
  peakBytes: number;
  /** Estimated CPU nanoseconds of the whole request (plan/cost/work.ts), layers included. */
  work: number;
  /** The output actually encoded: AVIF too large to encode quickly (settleFormat), or over the memory budget, becomes WebP. */
  output: OutputSpec;
  formatFallback?: string;
  /**
   * e_trim: its output size is known only from the pixels, so the steps after it were planned (and
   * the memory and work estimated) on its upper bound, the untrimmed size. The executor calls this
   * with the trimmed raster's size for the steps it runs instead, planned again on the real size.
   */
  afterTrim?: AfterTrim;
  /** An animated original: `N frames` when every frame is rendered (the decode and encode steps say `frames`), else why only the first is (X-Dprox-Animation). */
  animation?: string;
}

export type AfterTrim = (trimmed: { width: number; height: number; opaque: boolean }) => { steps: Step[]; afterTrim?: AfterTrim };

/**
 * An original a layer names: its header and size, read before planning; its bytes only once the
 * plan fits the budget (`read`, at render time), unless already in memory (`bytes`).
 */
export interface LayerSource {
  header: ImageHeader;
  /** The original's size in bytes (R2's object size); defaults to `bytes`' length. */
  size?: number;
  bytes?: Uint8Array;
  read?: () => Promise<Uint8Array>;
}

/** Layer originals by public ID. */
export type LayerSources = ReadonlyMap<string, LayerSource>;

/** The layer's decode and steps (no encode); `peakBytes` is its own memory, counted in the base plan's. */
export interface LayerPlan {
  publicId: string;
  /** The original it decodes; none for a text layer, whose first step is its `text`. */
  source?: LayerSource;
  steps: Step[];
  streamed: Streaming;
  width: number;
  height: number;
  peakBytes: number;
  /** Its estimated work (nanoseconds), counted in the base plan's. */
  work: number;
}
