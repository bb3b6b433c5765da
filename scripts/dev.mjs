#!/usr/bin/env node
// `npm start`: wrangler dev, offline, with local R2 seeded from samples/ on first start.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { CLOUD as cloud, DEMO_UPLOAD_PRESET, signed as sign, upload } from './lib/api.mjs';

const root = join(import.meta.dirname, '..');
const port = Number(process.env.PORT ?? 8787);
const origin = `http://127.0.0.1:${port}`;

// No telemetry, no cf.json fetch, no update check: zero network lookups.
const env = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_HIDE_BANNER: 'true',
};

const devVars = join(root, '.dev.vars');
if (!existsSync(devVars)) {
  writeFileSync(devVars, `API_SECRET=${randomBytes(18).toString('base64url')}\n`);
  console.log('created .dev.vars with a random local API_SECRET');
}
const secret = /^API_SECRET=(.*)$/m.exec(readFileSync(devVars, 'utf8'))?.[1]?.trim();

// The demo page at / with its unsigned upload preset: local only (both are off in wrangler.toml).
const demoVars = ['--var', 'DEMO:true', '--var', `UNSIGNED_UPLOAD_PRESET:${DEMO_UPLOAD_PRESET}`];
const wrangler = spawn('npx', ['wrangler', 'dev', '--port', String(port), ...demoVars, ...process.argv.slice(2)], {
  cwd: root,
  env,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => wrangler.kill(signal));
wrangler.on('exit', (code) => process.exit(code ?? 0));

await waitForServer();
await seed();
printExamples();

async function waitForServer() {
  for (let i = 0; i < 300; i++) {
    try {
      await fetch(origin + '/');
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error('wrangler dev did not start');
}

// Public IDs seeded from another sample (samples/NOTICE): the docs' DPR example layers sale_icon over pepper.
const ALIASES = { pepper: 'coffee.png' };

async function seed() {
  const samples = readdirSync(join(root, 'samples')).filter((f) => /\.(png|jpe?g|webp|gif)$/i.test(f));
  const entries = [...samples.map((file) => [basename(file, extname(file)), file]), ...Object.entries(ALIASES)];
  for (const [publicId, file] of entries) {
    const head = await fetch(`${origin}/${cloud}/image/upload/${publicId}`, { method: 'HEAD' });
    if (head.ok) continue;
    await upload(origin, secret, publicId, readFileSync(join(root, 'samples', file)), file);
    console.log(`seeded ${publicId} (${file})`);
  }
}

function printExamples() {
  const base = `${origin}/${cloud}/image/upload`;
  console.log(`
dprox is serving cloud "${cloud}" at ${origin}
Try these in a browser:
  ${origin}/                 (the demo page: drop an image on it)
  ${base}/c_fill,w_300,h_300,g_auto/astronaut.jpg
  ${base}/c_fill,w_100,h_100,dpr_2.0/chelsea.jpg
  ${base}/c_fill,w_200,h_200,dpr_auto/coffee.webp
  ${base}/c_scale,w_400/e_sharpen/rocket.jpg
  ${base}/e_blur:300,c_scale,w_400/coffee.jpg
  ${base}/c_pad,w_400,h_200,b_lightblue/astronaut.png
  ${base}/c_fill,w_200,h_200,r_max/f_auto/chelsea
The docs' DPR example (a watermark half the image's width, the same at every DPR):
  ${base}/c_fill,h_100,w_100/r_max/l_sale_icon/c_scale,fl_relative,w_0.5/o_60/fl_layer_apply,g_south_east/dpr_1.0/pepper.png
  ${base}/c_fill,h_100,w_100/r_max/l_sale_icon/c_scale,fl_relative,w_0.5/o_60/fl_layer_apply,g_south_east/dpr_2.0/pepper.png
  ${base}/c_fill,h_100,w_100/r_max/l_sale_icon/c_scale,fl_relative,w_0.5/o_60/fl_layer_apply,g_south_east/dpr_3.0/pepper.png
AI effects need a signed URL (signed here with your local API_SECRET):
  ${base}/${sign(secret, 'c_scale,w_200/e_upscale/chelsea.jpg')}
  ${base}/${sign(secret, 'e_gen_restore/rocket.jpg')}
`);
}
