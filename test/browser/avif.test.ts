// Chromium decodes dprox's AVIF (src/kernels/avif-encode.c writes the container itself): an opaque
// photo and a transparent icon, whose alpha the auxiliary image carries, at their asked sizes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWorker } from '../../scripts/lib/start-worker.mjs';
import { launchChromium } from './chromium';

const root = join(import.meta.dirname, '../..');
let worker: Awaited<ReturnType<typeof startWorker>>;
let browser: Browser;

beforeAll(async () => {
  worker = await startWorker({ vars: { UNSIGNED_UPLOAD_PRESET: 'browser_avif' } });
  browser = await launchChromium(1);
});
afterAll(async () => {
  await browser?.close();
  await worker?.dispose();
});

async function upload(file: string): Promise<string> {
  const form = new FormData();
  form.set('file', new Blob([readFileSync(join(root, 'samples', file))]), file);
  form.set('upload_preset', 'browser_avif');
  const res = await fetch(`${worker.url}/v1_1/demo/image/upload`, { method: 'POST', body: form });
  const body = await res.text();
  expect(res.status, body).toBe(200);
  return (JSON.parse(body) as { public_id: string }).public_id;
}

it('an opaque photo and a transparent icon as AVIF: Chromium shows them at their size, the icon with its alpha', async () => {
  const photo = `${worker.url}/demo/image/upload/c_fill,w_320,h_240/${await upload('chelsea.png')}.avif`;
  const icon = `${worker.url}/demo/image/upload/w_150/${await upload('sale_icon.png')}.avif`;
  for (const url of [photo, icon]) {
    const res = await fetch(url);
    expect(res.headers.get('content-type'), await res.clone().text()).toBe('image/avif');
  }
  const reference = await sharp(join(root, 'samples/sale_icon.png')).resize(150).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const page = await browser.newPage();
  await page.goto(`${worker.url}/`);
  // Page-side code as a string: this project type-checks without the DOM library.
  const seen = (await page.evaluate(`(async () => {
    const read = async (src) => {
      const img = new Image();
      img.crossOrigin = 'anonymous';
      img.src = src;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(img, 0, 0);
      return { width: img.naturalWidth, height: img.naturalHeight, alpha: Array.from(ctx.getImageData(0, 0, img.naturalWidth, img.naturalHeight).data.filter((_, i) => i % 4 === 3)) };
    };
    return [await read(${JSON.stringify(photo)}), await read(${JSON.stringify(icon)})];
  })()`)) as { width: number; height: number; alpha: number[] }[];
  expect([seen[0].width, seen[0].height]).toEqual([320, 240]);
  expect(Math.min(...seen[0].alpha)).toBe(255);
  expect([seen[1].width, seen[1].height]).toEqual([reference.info.width, reference.info.height]);
  // The icon's alpha as Chromium decoded it, against the original's resized alpha.
  let worst = 0;
  let transparent = 0;
  for (let i = 0; i < seen[1].alpha.length; i++) {
    worst = Math.max(worst, Math.abs(seen[1].alpha[i] - reference.data[i * 4 + 3]));
    if (seen[1].alpha[i] === 0) transparent++;
  }
  console.log(`Chromium: icon alpha worst error ${worst}, ${transparent} of ${seen[1].alpha.length} pixels transparent`);
  expect(transparent).toBeGreaterThan(0);
  expect(worst).toBeLessThan(64);
});
