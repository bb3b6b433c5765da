import type { ImageHeader } from '../../src/codecs/header';
import { buildPlan, type Plan } from '../../src/plan/plan';
import { resolveHints } from '../../src/plan/hints';
import { parseComponent } from '../../src/url/component';

export function jpegHeader(width: number, height: number, extra: Partial<ImageHeader> = {}): ImageHeader {
  return { format: 'jpg', width, height, hasAlpha: false, orientation: 1, progressive: false, animated: false, components: 3, sampling: '4:2:0', ...extra };
}

/** Plans a transformation string (components separated by /) on a header, as the route does. */
export function plan(transformation: string, header: ImageHeader, headers: Record<string, string> = {}): Plan {
  const parsed = transformation ? transformation.split('/').map(parseComponent) : [];
  const { components } = resolveHints(parsed, new Headers(headers));
  return buildPlan({ components, header, inputBytes: 0, output: { format: 'jpg', quality: 80, progressive: false } });
}

export const sizeOf = (p: Plan) => `${p.width}x${p.height}`;
