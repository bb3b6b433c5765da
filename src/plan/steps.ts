/** The ordered steps a plan hands to the pixel executors. Every step knows the size it outputs. */
import type { Rgba } from '../pixels/raster';
import type { OutputFormat } from '../url/params';
import type { AutoLevel } from './quality';

export interface Size {
  width: number;
  height: number;
}

export type Step =
  | ({ op: 'decode'; shrink: 1 | 2 | 4 | 8 } & Size)
  | ({ op: 'orient'; orientation: number } & Size)
  | ({ op: 'resize' } & Size)
  | ({ op: 'crop'; x: number; y: number } & Size)
  /** g_auto: the window's position is chosen from the pixels at run time; its size is fixed here. */
  | ({ op: 'crop-auto' } & Size)
  | ({ op: 'pad'; x: number; y: number; background: Rgba } & Size)
  | ({ op: 'rotate'; degrees: 90 | 180 | 270 } & Size)
  | ({ op: 'flip'; axis: 'horizontal' | 'vertical' } & Size)
  | ({ op: 'grayscale' } & Size)
  | ({ op: 'blur'; sigma: number } & Size)
  | ({ op: 'sharpen'; sigma: number; amount: number } & Size)
  | ({ op: 'round-corners'; radii: readonly [number, number, number, number] | 'max' } & Size)
  | ({ op: 'opacity'; percent: number } & Size)
  | ({ op: 'flatten'; background: Rgba } & Size)
  /** `auto`: q_auto, the quality is searched on the rendered raster (`quality` is the fallback). */
  | ({ op: 'encode'; format: OutputFormat; quality: number; progressive: boolean; auto?: AutoLevel } & Size);
