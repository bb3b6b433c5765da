#!/usr/bin/env node
// Draws samples/sale_icon.png, the project's own watermark sample (the DPR example of the docs
// layers `sale_icon` over `pepper`): a red rounded badge with "SALE" in blocky white letters on a
// transparent background. No fonts and no dependencies: shapes rasterised here, written as an
// RGBA PNG with node:zlib. Deterministic: the same bytes on every run.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chunk } from './lib/png-chunk.mjs';
import { deflateSync } from 'node:zlib';

const W = 200,
  H = 100;
const RED = [214, 32, 44],
  WHITE = [255, 255, 255];
const GLYPHS = {
  S: ['.####', '#....', '#....', '.###.', '....#', '....#', '####.'],
  A: ['.###.', '#...#', '#...#', '#####', '#...#', '#...#', '#...#'],
  L: ['#....', '#....', '#....', '#....', '#....', '#....', '#####'],
  E: ['#####', '#....', '#....', '####.', '#....', '#....', '#####'],
};

/** Inside the badge: a rounded rectangle inset 4 px, corner radius 26 px. */
function inBadge(x, y) {
  const inset = 4,
    r = 26;
  const l = inset,
    t = inset,
    rr = W - inset,
    b = H - inset;
  if (x < l || x > rr || y < t || y > b) return false;
  const cx = Math.min(Math.max(x, l + r), rr - r),
    cy = Math.min(Math.max(y, t + r), b - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

/** Inside a letter of "SALE": 5x7 cells of 6 px, one empty column between letters, centred. */
function inText(x, y) {
  const cell = 6,
    word = 'SALE';
  const tw = (word.length * 6 - 1) * cell,
    th = 7 * cell;
  const col = Math.floor((x - (W - tw) / 2) / cell),
    row = Math.floor((y - (H - th) / 2) / cell);
  if (col < 0 || row < 0 || row >= 7 || col >= word.length * 6 - 1 || col % 6 === 5) return false;
  return GLYPHS[word[Math.floor(col / 6)]][row][col % 6] === '#';
}

// 4x4 supersampling per pixel: anti-aliased badge edge, straight (non-premultiplied) alpha.
const raw = Buffer.alloc((W * 4 + 1) * H);
for (let y = 0; y < H; y++) {
  raw[y * (W * 4 + 1)] = 0; // filter: none
  for (let x = 0; x < W; x++) {
    let badge = 0,
      text = 0;
    for (let sy = 0; sy < 4; sy++)
      for (let sx = 0; sx < 4; sx++) {
        const px = x + (sx + 0.5) / 4,
          py = y + (sy + 0.5) / 4;
        if (inBadge(px, py)) inText(px, py) ? text++ : badge++;
      }
    const n = badge + text;
    const o = y * (W * 4 + 1) + 1 + x * 4;
    for (let c = 0; c < 3; c++) raw[o + c] = n ? Math.round((RED[c] * badge + WHITE[c] * text) / n) : 0;
    raw[o + 3] = Math.round((255 * n) / 16);
  }
}

const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(W, 0);
ihdr.writeUInt32BE(H, 4);
ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, deflate, no filter method, no interlace
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = join(import.meta.dirname, '../samples/sale_icon.png');
writeFileSync(out, png);
console.log(`wrote ${out} (${W}x${H}, ${png.length} bytes)`);
