/**
 * Output format and quality. Format: `f_` (last in the chain) beats the extension, which beats the
 * original's format. `f_auto` picks WebP when the browser accepts it, else PNG when the result may
 * be transparent, else JPEG, and makes the response vary on Accept.
 */
import { CldError } from '../url/errors';
import type { Component, OutputFormat } from '../url/params';
import type { OutputSpec } from './plan';

/** q_auto levels as encoder qualities until the perceptual search lands (performance issue). */
const AUTO_QUALITY = { best: 90, good: 80, eco: 70, low: 60 } as const;
export const DEFAULT_QUALITY = 80;

export interface OutputChoice extends OutputSpec {
  varyAccept: boolean;
}

export interface OutputInput {
  components: readonly Component[];
  extension?: 'jpg' | 'png' | 'webp' | 'gif';
  originalFormat: 'jpg' | 'png' | 'webp' | 'gif';
  /** The original has an alpha channel, or a step adds transparency. */
  mayBeTransparent: boolean;
  accept: string | null;
}

export function chooseOutput({ components, extension, originalFormat, mayBeTransparent, accept }: OutputInput): OutputChoice {
  let f: Component['f'];
  let q: Component['q'];
  let progressive = false;
  for (const c of components) {
    if (c.f) f = c.f;
    if (c.q) q = c.q;
    if (c.fl?.includes('progressive')) progressive = true;
  }
  const quality = !q ? DEFAULT_QUALITY : q.kind === 'fixed' ? q.value : AUTO_QUALITY[q.level];

  if (f === 'auto') {
    const format: OutputFormat = acceptsWebp(accept) ? 'webp' : mayBeTransparent ? 'png' : 'jpg';
    return { format, quality, progressive, varyAccept: true };
  }
  const wanted = f ?? extension ?? originalFormat;
  if (wanted === 'gif') throw new CldError(400, 'GIF output is not supported: request .png or .webp (the first frame is delivered)');
  return { format: wanted, quality, progressive, varyAccept: false };
}

function acceptsWebp(accept: string | null): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const [type, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return type.trim() === 'image/webp' && (!q || Number(q.slice(2)) > 0);
  });
}

export function contentType(format: OutputFormat | 'gif'): string {
  return { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif' }[format];
}
