#!/usr/bin/env node
// Replays a corpus of Cloudinary transformation strings against the Worker under wrangler (local
// workerd) and prints how many are served: a 200 (or 423, an AI job started), each 4xx by its
// reason, and every 5xx or hang by name. The corpus is a file you supply (it is not part of the
// project): one transformation per line, or a TSV whose first column is the transformation.
//
//   node bench/corpus.mjs --file corpus.tsv [--image samples/rocket.jpg] [--top 30] [--failures out.tsv]
//
// Each string is applied to one original (`sample`); every public ID a layer names (l_<id>, u_<id>)
// is seeded with a small PNG first, as it would exist in the account the corpus was written for.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startWorker } from '../scripts/lib/start-worker.mjs';
import { CLOUD, option, root, SECRET, upload } from './lib.mjs';

const FILE = option('file', '');
if (!FILE) {
  console.error('usage: node bench/corpus.mjs --file <transformations, one per line or TSV>');
  process.exit(2);
}
const IMAGE = option('image', join(root, 'samples/rocket.jpg'));
const TOP = Number(option('top', '30'));
const FAILURES = option('failures', '');
const TIMEOUT_MS = 30_000;

const lines = [
  ...new Set(
    readFileSync(FILE, 'utf8')
      .split('\n')
      .map((l) => l.split('\t')[0].trim())
      .filter((l) => l && !l.startsWith('#')),
  ),
];

/** Public IDs the layers of `t` name: l_<id> and u_<id>, folders written with `:`. */
function layerIds(t) {
  const ids = [];
  for (const m of t.matchAll(/(?:^|[,/])[lu]_([^,/]+)/g)) {
    const v = m[1];
    if (/^(text|fetch|subtitles|video|audio|lut)[:_]/.test(v) || v.startsWith('$')) continue;
    ids.push(v.replaceAll(':', '/').replace(/\.(png|jpe?g|webp|gif)$/i, ''));
  }
  return ids;
}

const worker = await startWorker({ secret: SECRET, vars: { DIAGNOSTICS: 'false' } });
const origin = worker.url;
try {
  await upload(origin, 'sample', readFileSync(IMAGE));
  const overlay = readFileSync(join(root, 'samples/sale_icon.png'));
  // A layer named like the original (`l_sample`) is the original itself: never overwritten.
  const layers = [...new Set(lines.flatMap(layerIds))].filter((id) => id !== 'sample' && /^[\w\-/.]{1,200}$/.test(id));
  for (const id of layers) await upload(origin, id, overlay).catch(() => {});

  const tally = new Map();
  const reasons = new Map();
  const failures = [];
  let served = 0;
  let server = 0;
  const t0 = performance.now();
  for (const t of lines) {
    let status;
    let reason = '';
    try {
      const res = await fetch(`${origin}/${CLOUD}/image/upload/${t}/sample.jpg`, {
        headers: { accept: 'image/avif,image/webp,*/*' },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await res.arrayBuffer();
      status = res.status;
      reason = res.headers.get('X-Cld-Error') ?? '';
    } catch (e) {
      status = e.name === 'TimeoutError' ? 'timeout' : 'network error';
      reason = String(e.message ?? e);
    }
    tally.set(status, (tally.get(status) ?? 0) + 1);
    if (status === 200 || status === 423) served++;
    else {
      if (typeof status !== 'number' || status >= 500) server++;
      const key = `${status} ${normalise(reason)}`;
      reasons.set(key, (reasons.get(key) ?? 0) + 1);
      failures.push(`${t}\t${status}\t${reason}`);
    }
  }
  const s = ((performance.now() - t0) / 1000).toFixed(0);
  console.log(`${lines.length} distinct transformations, ${s} s`);
  console.log(`served (200 or 423): ${served} = ${((100 * served) / lines.length).toFixed(1)}%; 5xx, hangs or resets: ${server}`);
  console.log(`by status: ${[...tally].map(([k, v]) => `${k}: ${v}`).join(', ')}`);
  console.log(`\nwhat refuses the rest (top ${TOP}):`);
  for (const [k, v] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${String(v).padStart(5)}  ${k}`);
  if (FAILURES) writeFileSync(FAILURES, `${failures.join('\n')}\n`);
} finally {
  await worker.dispose();
}

/** A reason with its values blanked, so that the same refusal counts once: "Unsupported effect 'e_x' …" stays whole. */
function normalise(reason) {
  return reason
    .replace(/ \((dprox supports|supported): [^)]*\)/, '')
    .replace(/ in [^ ]+$/, '')
    .replace(/: \d+x\d+ .*/, '')
    .slice(0, 140);
}
