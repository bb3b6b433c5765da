// The planner's animation rules, without pixels: which outputs keep every frame, pg_'s checks, and
// the frames x area, memory and work budgets with their first-frame fallback.
import { describe, expect, it } from 'vitest';
import type { ImageHeader } from '../../src/codecs/header';
import { FRAME_AREA_BUDGET } from '../../src/plan/animation';
import { chooseOutput } from '../../src/plan/output';
import { buildPlan } from '../../src/plan/plan';
import { parseComponent } from '../../src/url/component';

const gif = (width: number, height: number, frames: number): ImageHeader => ({
  format: 'gif',
  width,
  height,
  hasAlpha: false,
  orientation: 1,
  progressive: false,
  animated: frames > 1,
  components: 3,
  ...(frames > 1 ? { frames, frameArea: frames * width * height } : {}),
});

function plan(t: string, header: ImageHeader, extension?: 'gif' | 'webp' | 'png', accept: string | null = null) {
  const components = t ? t.split('/').map(parseComponent) : [];
  const output = chooseOutput({
    components,
    extension,
    originalFormat: header.format,
    mayBeTransparent: () => false,
    accept,
    animatedOriginal: header.animated,
  });
  return buildPlan({ components, header, inputBytes: 100_000, output });
}

const frames = (p: ReturnType<typeof plan>) => p.steps.find((s) => s.op === 'encode')?.frames;

describe('which outputs keep the frames', () => {
  const h = gif(200, 100, 10);
  it.each([
    ['c_scale,w_100', 'gif', undefined, 10],
    ['c_scale,w_100', 'webp', undefined, undefined],
    ['c_scale,w_100,fl_animated', 'webp', undefined, 10],
    ['c_scale,w_100,f_auto', undefined, 'image/webp', 10],
    ['c_scale,w_100,f_auto', undefined, 'image/avif,image/webp', 10],
    ['c_scale,w_100,f_auto', undefined, null, 10],
    ['c_scale,w_100,pg_3', 'gif', undefined, undefined],
    ['c_scale,w_100', 'png', undefined, undefined],
  ] as const)('%s .%s Accept %s: %s frames', (t, ext, accept, n) => {
    expect(frames(plan(t, h, ext, accept))).toBe(n);
  });
  it('f_auto of an animation is WebP where Accept takes a modern format, else GIF', () => {
    expect(plan('f_auto', h, undefined, 'image/webp').output.format).toBe('webp');
    expect(plan('f_auto', h, undefined, 'image/png').output.format).toBe('gif');
  });
  it('g_auto and c_fill_pad, which crop each frame from its own pixels, are refused on an animation, not on its pg_ frame', () => {
    expect(() => plan('c_fill,g_auto,w_50,h_50', h, 'gif')).toThrow(/g_auto is not supported on animated images/);
    expect(() => plan('c_fill_pad,g_auto,w_50,h_80', h, 'gif')).toThrow(/c_fill_pad is not supported on animated images/);
    expect(plan('c_fill,g_auto,w_50,h_50,pg_2', h, 'gif').width).toBe(50);
  });
  it('pg_ picks a frame the header has; the decode composites the frames before it', () => {
    expect(plan('pg_3', h, 'png').steps[0]).toMatchObject({ op: 'decode', frames: 3 });
    expect(plan('pg_1', h, 'png').steps[0]).not.toHaveProperty('frames');
    expect(() => plan('pg_11', h, 'png')).toThrow(/pg_11, the image has 10 frames/);
    expect(() => plan('pg_2', gif(10, 10, 1), 'png')).toThrow(/1 frame/);
  });
});

describe('budgets', () => {
  it('over 100 MP of frames: the first frame, and why', () => {
    const h = gif(1000, 1000, 101);
    const p = plan('', h, 'gif');
    expect(101 * 1e6).toBeGreaterThan(FRAME_AREA_BUDGET);
    expect(frames(p)).toBeUndefined();
    expect(p.animation).toBe('first-frame (101 frames x 1000x1000 over the 100 MP budget)');
    // Resized, it fits when its frames decode little (a full first frame, then small patches)...
    expect(frames(plan('c_scale,w_100', { ...h, frameArea: 1_000_100 }, 'gif'))).toBe(101);
    // ...and not when each decodes the whole screen: 101 MP of GIF decoding is over the work budget.
    expect(plan('c_scale,w_100', h, 'gif').animation).toMatch(/^first-frame \(101 frames x 100x100 needs about [\d.]+ s of processing/);
  });
  it('within the frames budget but over the memory budget: the first frame, and why', () => {
    // 60 frames of 1200x1200 at worst 1.5 B/px each: 130 MB of GIF kept until the end.
    const p = plan('', gif(1200, 1200, 60), 'gif');
    expect(p.animation).toMatch(/^first-frame \(60 frames x 1200x1200 needs about \d+ MB, over the 100 MB limit\)$/);
  });
  it('the plan of every frame counts the decoder canvas once and the frames written so far', () => {
    const one = plan('c_scale,w_100', gif(400, 400, 2), 'gif');
    const many = plan('c_scale,w_100', gif(400, 400, 40), 'gif');
    expect(many.animation).toBe('40 frames');
    // 38 more frames of 100x100: about 38 x 15 KB more, not 38 rasters more.
    expect(many.peakBytes - one.peakBytes).toBeLessThan(38 * 16_000);
    expect(many.work).toBeGreaterThan(10 * one.work);
  });
});
