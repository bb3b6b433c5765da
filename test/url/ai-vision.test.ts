import { describe, expect, it } from 'vitest';
import { AI_VISION } from '../../src/url/ai-vision';
import { parseComponent } from '../../src/url/component';
import { errorOf } from './error-of';

describe('AI-vision features answer one 400 naming them', () => {
  const every = Object.entries(AI_VISION).flatMap(([key, values]) => Object.keys(values).map((value) => `${key}_${value}`));
  for (const raw of every) {
    it(raw, () => {
      const e = errorOf(() => parseComponent(raw));
      expect(e.status).toBe(400);
      expect(e.message).toContain(`${raw} is not available: dprox has no `);
    });
  }
  it('names the whole value, arguments included', () => {
    expect(errorOf(() => parseComponent('e_gen_remove:prompt_the_dog')).message).toMatch(
      /^e_gen_remove:prompt_the_dog is not available: dprox has no generative object removal/,
    );
    expect(errorOf(() => parseComponent('b_gen_fill:prompt_sky')).message).toMatch(/b_gen_fill:prompt_sky is not available/);
    expect(errorOf(() => parseComponent('fl_layer_apply.region_relative')).message).toMatch(/fl_region_relative is not available/);
  });
  it('g_auto:<focus> is refused; plain g_auto (saliency) is served', () => {
    for (const focus of ['subject', 'faces', 'face', 'cat', 'ocr_text', 'classic'])
      expect(errorOf(() => parseComponent(`c_fill,g_auto:${focus},w_100`)).message).toMatch(new RegExp(`g_auto:${focus} is not available`));
    expect(parseComponent('c_fill,g_auto,w_100').g).toBe('auto');
  });
  it('the AI effects dprox serves are not refused', () => {
    expect(parseComponent('e_upscale').e?.name).toBe('upscale');
    expect(parseComponent('e_gen_restore').e?.name).toBe('gen_restore');
  });
});
