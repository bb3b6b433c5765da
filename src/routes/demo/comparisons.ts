/**
 * The demo's comparisons for one image, after Cloudinary's "Image upscaling and downscaling" page:
 * scale ×4 against e_upscale, plain downscaling against e_sharpen, e_gen_restore and premium
 * downscaling, DPR 1/2/3 thumbnails and dpr_auto. URLs come from the client helper (dprox/client);
 * the AI ones are signed here, with the Worker's API_SECRET, since AI effects need signed URLs.
 */
import { url, type Transformation, type UrlOptions } from '../../client';

export interface Picture {
  label: string;
  url: string;
  /** CSS pixels the page shows it at (its width; height follows, or is given). */
  width: number;
  height?: number;
  /** An AI job: the page follows its progress before showing it. */
  ai?: boolean;
  /** The dpr_auto picture: the page reports the DPR it was delivered at. */
  dprAuto?: boolean;
}

export interface Comparison {
  title: string;
  note: string;
  pictures: Picture[];
}

/** The upscale input is kept small so the job is quick: the original fitted in 160×160 first. */
const UPSCALE_INPUT: Transformation = { width: 160, height: 160, crop: 'limit' };

export function urlOptions(origin: string, cloud: string): UrlOptions {
  const { protocol, host } = new URL(origin);
  return protocol === 'https:' ? { cloud_name: cloud, secure: true, secure_distribution: host } : { cloud_name: cloud, secure: false, cname: host };
}

/** The most pixels the demo hands an AI effect (the input of e_upscale or e_gen_restore). */
export const MAX_AI_INPUT_PIXELS = 1_000_000;
const DOWNSCALE_WIDTH = 300;

/**
 * c_scale,w_300, unless that leaves more than MAX_AI_INPUT_PIXELS for e_gen_restore (a tall
 * image: 100x4600 becomes 300x13800): then fitted in 300 x (1 MP / 300) instead. Either side may
 * be the width once the EXIF orientation is applied, so the longer ratio counts.
 */
export function downscaleFor(width: number, height: number): Transformation {
  const ratio = width > 0 && height > 0 ? Math.max(width / height, height / width) : Infinity;
  if (DOWNSCALE_WIDTH * DOWNSCALE_WIDTH * ratio <= MAX_AI_INPUT_PIXELS) return { width: DOWNSCALE_WIDTH, crop: 'scale' };
  return { width: DOWNSCALE_WIDTH, height: Math.floor(MAX_AI_INPUT_PIXELS / DOWNSCALE_WIDTH), crop: 'fit' };
}

/** `size`: the original's stored width and height (unknown: the downscale is fitted in the AI bound). */
export function comparisons(publicId: string, options: UrlOptions, secret: string, size?: { width: number; height: number }): Comparison[] {
  const plain = (t: Transformation[]) => url(publicId, t, options);
  const signed = (t: Transformation[]) => url(publicId, t, { ...options, sign_url: true, api_secret: secret });
  const downscale = downscaleFor(size?.width ?? NaN, size?.height ?? NaN);
  const downscaleLabel = downscale.crop === 'scale' ? 'c_scale,w_300' : `c_fit,h_${downscale.height},w_300`;
  const thumb: Transformation = { width: 128, crop: 'scale' };
  const square = (dpr: string): Transformation => ({ width: 100, height: 100, crop: 'fill', gravity: 'auto', dpr });
  return [
    {
      title: 'Upscaling: c_scale,w_4.0 against e_upscale',
      note: 'The original fitted in 160×160, then four times larger: interpolated, and with the super-resolution model (a job; the bar follows its status).',
      pictures: [
        { label: 'c_scale,w_4.0', url: plain([UPSCALE_INPUT, { width: '4.0', crop: 'scale' }]), width: 320 },
        { label: 'e_upscale', url: signed([UPSCALE_INPUT, { effect: 'upscale' }]), width: 320, ai: true },
      ],
    },
    {
      title: 'Downscaling: normal against e_sharpen',
      note: `${downscaleLabel}, then the sharpen effect (unsharp mask, scaled by the DPR).`,
      pictures: [
        { label: downscaleLabel, url: plain([downscale]), width: 300 },
        { label: 'e_sharpen', url: plain([downscale, { effect: 'sharpen' }]), width: 300 },
      ],
    },
    {
      title: 'Downscaling: normal against e_gen_restore',
      note: `${downscaleLabel}, then generative restore (a job; its input at most 1 MP).`,
      pictures: [
        { label: downscaleLabel, url: plain([downscale]), width: 300 },
        { label: 'e_gen_restore', url: signed([downscale, { effect: 'gen_restore' }]), width: 300, ai: true },
      ],
    },
    {
      title: 'Downscaling: normal against premium downscaling',
      note: 'A small thumbnail, c_scale,w_128, and the same with fl_premium_downscaling (a dprox flag; per cloud: PREMIUM_DOWNSCALING).',
      pictures: [
        { label: 'c_scale,w_128', url: plain([thumb]), width: 128 },
        { label: 'fl_premium_downscaling', url: plain([{ ...thumb, flags: 'premium_downscaling' }]), width: 128 },
      ],
    },
    {
      title: 'Device pixel ratio: dpr_1.0, dpr_2.0, dpr_3.0',
      note: 'Each shown in a 100×100 CSS-pixel square: 100, 200 and 300 physical pixels.',
      pictures: ['1.0', '2.0', '3.0'].map((d) => ({ label: `dpr_${d}`, url: plain([square(d)]), width: 100, height: 100 })),
    },
    {
      title: 'dpr_auto',
      note: 'Sized by the Sec-CH-DPR client hint the browser sends (the page opts in with Accept-CH and Critical-CH).',
      pictures: [{ label: 'dpr_auto', url: plain([square('auto')]), width: 100, height: 100, dprAuto: true }],
    },
  ];
}

/** The gallery thumbnail of an image. */
export function thumbnailUrl(publicId: string, options: UrlOptions): string {
  return url(publicId, { width: 120, height: 120, crop: 'fill', gravity: 'auto', dpr: 'auto' }, options);
}
