// The two ONNX models behind the AI effects and how to tile them (models/README.md has the
// I/O convention: input `input`, output `output`, NCHW float32 RGB in [0, 1], batch 1, dynamic H/W).
import srModel from '../../models/dprox-sr-x4.onnx';
import restoreModel from '../../models/dprox-restore.onnx';

export type AiModelName = 'upscale' | 'gen_restore';

export interface AiModel {
  name: AiModelName;
  /** The ONNX file (wrangler Data rule: an ArrayBuffer in the bundle; parsed only when a session is created). */
  bytes: ArrayBuffer;
  /** Output pixels per input pixel along each axis. */
  scale: 4 | 1;
  /** Input pixels of context on each side of a tile's core (>= the receptive-field radius: seamless). */
  halo: number;
  /** The network needs even input sides (pixel-unshuffle x2): tiles are aligned to 2 and odd ones padded. */
  evenSides: boolean;
  /**
   * Default core tile side in input pixels (the tile run through ORT is up to tile + 2 * halo).
   * Chosen so that ORT's WASM memory stays well under 64 MB (test/ai/memory.test.ts measures it).
   */
  tile: number;
}

export const AI_MODELS: Readonly<Record<AiModelName, AiModel>> = {
  // Receptive-field radius 12 LR px (12 stacked 3x3 convolutions).
  upscale: { name: 'upscale', bytes: srModel, scale: 4, halo: 12, evenSides: false, tile: 160 },
  // Receptive-field radius about 18 px (8 3x3 convolutions at half resolution); even for alignment.
  gen_restore: { name: 'gen_restore', bytes: restoreModel, scale: 1, halo: 18, evenSides: true, tile: 256 },
};

export function aiModel(name: AiModelName): AiModel {
  const m = AI_MODELS[name];
  if (!m) throw new Error(`unknown AI model ${String(name)}`);
  return m;
}
