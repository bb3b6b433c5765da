/** The ordered steps a plan hands to the pixel executors. Every step knows the size it outputs. */
import type { Rgba } from '../pixels/raster';
import type { OutputFormat } from '../url/params';
import type { LayerPlan } from './layers';
import type { AutoLevel } from './quality';

export interface Size {
  width: number;
  height: number;
}

export type Step =
  | ({ op: 'decode'; shrink: 1 | 2 | 4 | 8 } & Size)
  /** The embedded ICC profile (the header's) converted to sRGB (pixels/icc.ts). */
  | ({ op: 'icc' } & Size)
  | ({ op: 'orient'; orientation: number } & Size)
  /** Lanczos3; `widen` > 1 stretches the kernel further than the scale (premium downscaling's prefilter). */
  | ({ op: 'resize'; widen?: number } & Size)
  | ({ op: 'crop'; x: number; y: number } & Size)
  /** g_auto: the window's position is chosen from the pixels at run time; its size is fixed here. */
  | ({ op: 'crop-auto' } & Size)
  | ({ op: 'pad'; x: number; y: number; background: Rgba } & Size)
  | ({ op: 'rotate'; degrees: 90 | 180 | 270 } & Size)
  | ({ op: 'flip'; axis: 'horizontal' | 'vertical' } & Size)
  | ({ op: 'grayscale' } & Size)
  | ({ op: 'blur'; sigma: number } & Size)
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
  | ({ op: 'composite'; layer: LayerPlan; under: boolean; tiled: boolean; x: number; y: number; baseX: number; baseY: number } & Size)
  /** `auto`: q_auto, the quality is searched on the rendered raster (`quality` is the fallback). */
  | ({ op: 'encode'; format: OutputFormat; quality: number; progressive: boolean; auto?: AutoLevel } & Size);
