// The demo page in a real browser (Debian's chromium through playwright-core) against the Worker
// under wrangler, at deviceScaleFactor 1 and 2. Screenshots go to test/.artifacts/.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../../scripts/lib/start-worker.mjs';
import { launchChromium } from './chromium';

const root = join(import.meta.dirname, '../..');
const artifacts = join(root, 'test/.artifacts');
/** The dpr_auto picture's CSS width (src/routes/demo/comparisons.ts). */
const DPR_AUTO_CSS_WIDTH = 100;
/** A small upload so the e_upscale job is quick: 100×100, upscaled to 400×400. */
const UPLOAD_SIZE = 100;

let worker: Awaited<ReturnType<typeof startWorker>>;
let uploadBytes: Buffer;

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  worker = await startWorker({ vars: { DEMO: 'true', UNSIGNED_UPLOAD_PRESET: 'browser_test' } });
  uploadBytes = await sharp(join(root, 'samples/chelsea.png')).resize(UPLOAD_SIZE, UPLOAD_SIZE, { fit: 'cover' }).jpeg({ quality: 90 }).toBuffer();
});
afterAll(async () => {
  await worker?.dispose();
});

/** Drops a file on the page's drop zone, as a drag from the desktop would. */
async function dropFile(page: Page, name: string, bytes: Buffer) {
  // Page-side code as strings: this project type-checks without the DOM library.
  const data = await page.evaluateHandle(`(() => {
    const array = Uint8Array.from(atob(${JSON.stringify(bytes.toString('base64'))}), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([array], ${JSON.stringify(name)}, { type: 'image/jpeg' }));
    return transfer;
  })()`);
  for (const type of ['dragenter', 'dragover', 'drop']) await page.dispatchEvent('#dropzone', type, { dataTransfer: data });
}

const picture = (page: Page, label: string) => page.locator(`figure[data-label="${label}"]`).first();
const naturalWidth = (page: Page, label: string) =>
  picture(page, label)
    .locator('img')
    .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth);

describe.each([1, 2])('demo page at deviceScaleFactor %i', (scale) => {
  let browser: Browser;
  let page: Page;
  const dprHints: (string | undefined)[] = [];
  let jobPolls = 0;

  beforeAll(async () => {
    browser = await launchChromium(scale);
    const context = await browser.newContext({ deviceScaleFactor: scale, viewport: { width: 1100, height: 900 } });
    page = await context.newPage();
    page.on('request', async (request) => {
      if (request.url().includes('/jobs/')) jobPolls++;
      if (request.url().includes('dpr_auto')) dprHints.push((await request.allHeaders())['sec-ch-dpr']);
    });
    await page.goto(`${worker.url}/`);
  });
  afterAll(async () => {
    await page?.screenshot({ path: join(artifacts, `demo-dpr${scale}.png`), fullPage: true });
    await browser?.close();
  });

  it('the browser sends Sec-CH-DPR with the page request (Critical-CH): the page reports it', async () => {
    expect(await page.textContent('#reported-dpr')).toBe(String(scale));
  });

  it('an image dropped on the page is uploaded and appears in the gallery', async () => {
    const name = `dropped-at-${scale}x.jpg`;
    await dropFile(page, name, uploadBytes);
    // Unsigned uploads are stored under UNSIGNED_UPLOAD_FOLDER with a unique suffix (unique_filename).
    const prefix = `unsigned/uploads/dropped-at-${scale}x_`;
    await page.waitForSelector(`#gallery button[data-public-id^="${prefix}"]`, { timeout: 30_000 });
    const id = (await page.getAttribute(`#gallery button[data-public-id^="${prefix}"]`, 'data-public-id'))!;
    expect(id).toMatch(/^unsigned\/uploads\/dropped-at-\dx_[a-z0-9]{6}$/);
    expect(await page.textContent('#upload-status')).toContain(`Uploaded: ${id} (${UPLOAD_SIZE}×${UPLOAD_SIZE})`);
    await page.waitForSelector(`#gallery button.chosen[data-public-id="${id}"] img`);
    await page.waitForFunction(`document.getElementById('chosen-title').textContent.startsWith(${JSON.stringify(id)})`);
  });

  it(`the dpr_auto image is ${DPR_AUTO_CSS_WIDTH * scale} px wide`, async () => {
    await page.waitForSelector('figure[data-label="dpr_auto"][data-delivered-dpr]', { timeout: 30_000 });
    expect(await naturalWidth(page, 'dpr_auto')).toBe(DPR_AUTO_CSS_WIDTH * scale);
    expect(await picture(page, 'dpr_auto').getAttribute('data-delivered-dpr')).toBe(String(scale));
    // The image requests themselves carried the hint (the gallery's thumbnails and this picture).
    await expect.poll(() => dprHints.length).toBeGreaterThan(1);
    expect(dprHints).toEqual(dprHints.map(() => String(scale)));
  });

  it('the upscale comparison reaches 100% and shows the ×4 result', async () => {
    const upscale = picture(page, 'e_upscale');
    await page.waitForSelector('figure[data-label="e_upscale"][data-percent="100"]', { timeout: 180_000 });
    await page.waitForFunction(
      `(() => {
      const img = document.querySelector('figure[data-label="e_upscale"] img');
      return !!img && img.complete && img.naturalWidth > 0;
    })()`,
      undefined,
      { timeout: 30_000 },
    );
    expect(await naturalWidth(page, 'e_upscale')).toBe(UPLOAD_SIZE * 4);
    expect(await naturalWidth(page, 'c_scale,w_4.0')).toBe(UPLOAD_SIZE * 4);
    expect(await upscale.locator('progress').evaluate((p) => (p as unknown as { value: number }).value)).toBe(100);
    // The first time, the job was new: the URL answered 423 and the bar followed the job's status.
    if (scale === 1) expect(jobPolls).toBeGreaterThan(0);
    // Each picture shows its URL.
    expect(await upscale.locator('code.url').textContent()).toMatch(
      /\/image\/upload\/s--[\w-]{8}--\/c_limit,h_160,w_160\/e_upscale\/v\d+\/unsigned\/uploads\/dropped-at-/,
    );
  }, 240_000);
});

describe('demo page: an image the demo does not sign for', () => {
  let browser: Browser;
  afterAll(async () => {
    await browser?.close();
  });

  /** A signed upload through the upload API (SHA-1 of the sorted parameters + startWorker's default secret). */
  async function signedUpload(params: Record<string, string>, bytes: Buffer) {
    const toml = readFileSync(join(root, 'wrangler.toml'), 'utf8');
    const [cloud, apiKey] = ['CLOUD_NAME', 'API_KEY'].map((name) => new RegExp(`^${name}\\s*=\\s*"([^"]+)"`, 'm').exec(toml)?.[1] ?? '');
    const all: Record<string, string> = { ...params, timestamp: String(Math.floor(Date.now() / 1000)) };
    const toSign = Object.keys(all)
      .sort()
      .map((k) => `${k}=${all[k]}`)
      .join('&');
    const form = new FormData();
    form.set('file', new Blob([bytes]), 'twin.jpg');
    for (const [k, v] of Object.entries({
      ...all,
      api_key: apiKey,
      signature: createHash('sha1').update(`${toSign}node-test-secret`).digest('hex'),
    }))
      form.set(k, v);
    const res = await fetch(`${worker.url}/v1_1/${cloud}/image/upload`, { method: 'POST', body: form });
    expect(res.status, await res.text()).toBe(200);
  }

  it('shows the reason instead of comparisons', async () => {
    const id = 'refused/twin';
    await signedUpload({ public_id: id }, uploadBytes);
    // An authenticated image under the same public ID: a signature for one would open the other.
    await signedUpload({ public_id: id, type: 'authenticated' }, uploadBytes);

    browser = await launchChromium(1);
    const page = await browser.newPage();
    await page.goto(`${worker.url}/`);
    await page.click(`#gallery button[data-public-id="${id}"]`);
    await page.waitForFunction(`document.getElementById('chosen-title').textContent.includes('does not sign URLs')`, undefined, { timeout: 30_000 });
    expect(await page.textContent('#chosen-title')).toContain(
      `${id}: The demo does not sign URLs for ${id}: an image of type authenticated has the same public ID`,
    );
    expect(await page.locator('#comparisons figure').count()).toBe(0);
  });
});
