/**
 * Cloudinary's parameters that need AI vision (detectors, segmentation, OCR, generative models)
 * that dprox does not run. Each answers one clear 400 naming it, from this one table, instead of
 * "invalid value" or, worse, a silent fallback (g_face used to crop north, which a user could not
 * tell from a bug). `e_upscale` and `e_gen_restore` are served (AI jobs) and are not here.
 */
import { CldError } from './errors';

type RefusedKey = 'e' | 'g' | 'b' | 'c' | 'fl';

/** Exact values (before the first `:` for `e_` and `b_`), each with what it would need. */
export const AI_VISION: { readonly [K in RefusedKey]: Readonly<Record<string, string>> } = {
  e: {
    background_removal: 'AI background removal',
    bgremoval: 'AI background removal',
    remove_background: 'AI background removal (Pixelz add-on)',
    gen_background_replace: 'generative background replacement',
    gen_fill: 'generative fill',
    gen_recolor: 'generative recolouring (object segmentation)',
    gen_remove: 'generative object removal',
    gen_replace: 'generative object replacement',
    extract: 'AI object extraction (segmentation)',
    style_transfer: 'neural style transfer',
    dropshadow: 'AI drop shadow (foreground segmentation)',
    enhance: 'AI enhancement',
    auto_enhance: 'AI enhancement',
    theme: 'AI theme (background segmentation)',
    blur_faces: 'face detection',
    pixelate_faces: 'face detection',
    redeye: 'red-eye detection (face detection)',
    adv_redeye: 'red-eye detection (advanced face detection)',
    ocr: 'OCR',
  },
  g: {
    face: 'face detection',
    faces: 'face detection',
    'face:center': 'face detection',
    'faces:center': 'face detection',
    'face:auto': 'face detection',
    'faces:auto': 'face detection',
    adv_face: 'advanced face detection',
    adv_faces: 'advanced face detection',
    adv_eyes: 'eye detection',
    ocr_text: 'OCR text detection',
    custom: 'stored custom or face coordinates',
    'custom:face': 'stored custom or face coordinates',
    'custom:faces': 'stored custom or face coordinates',
    'custom:adv_face': 'stored custom or face coordinates',
    'custom:adv_faces': 'stored custom or face coordinates',
  },
  b: {
    gen_fill: 'generative fill',
  },
  c: {
    auto: 'AI automatic cropping (c_fill,g_auto is the saliency crop dprox has)',
    auto_pad: 'AI automatic padding (c_fill_pad,g_auto is the saliency form dprox has)',
    imagga_crop: 'the Imagga add-on',
    imagga_scale: 'the Imagga add-on',
  },
  fl: {
    region_relative: 'detected face or text regions',
  },
};

/** `g_auto:<focus>` (subject, faces, objects, classic...) needs Cloudinary's AI focus models; plain `g_auto` is dprox's saliency. */
const AUTO_FOCUS = /^auto:./;

function refusal(parameter: string, need: string): CldError {
  return new CldError(400, `${parameter} is not available: dprox has no ${need} (AI vision features are not served)`);
}

/** Throws the 400 when `value` of `key` is an AI-vision feature; a no-op otherwise. */
export function refuseAiVision(key: RefusedKey, value: string): void {
  const name = key === 'e' || key === 'b' ? value.split(':')[0] : value;
  const need = Object.hasOwn(AI_VISION[key], name) ? AI_VISION[key][name] : undefined;
  if (need) throw refusal(`${key}_${value}`, need);
  if (key === 'g' && AUTO_FOCUS.test(value)) throw refusal(`g_${value}`, `AI focus detection for g_auto:<focus> (plain g_auto, the saliency crop, is served)`);
}
