// A baseline YCCK JPEG writer for test fixtures (libvips writes CMYK JPEGs, never YCCK): Adobe's
// APP14 with transform 2, four components at 1x1 sampling, one quantisation table of 2s, fixed
// Huffman tables (every symbol at one length: valid, if not compact). Samples are stored the way
// Photoshop stores them (Adobe-inverted: 255 = no ink), as libjpeg's YCCK decoder expects.

const ZIGZAG = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22,
  15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];
const Q = 2;
const DC_SYMBOLS = Array.from({ length: 12 }, (_, i) => i);
const AC_SYMBOLS = [0x00, 0xf0];
for (let run = 0; run < 16; run++) for (let size = 1; size <= 10; size++) AC_SYMBOLS.push((run << 4) | size);
const DC_LENGTH = 4;
const AC_LENGTH = 8;

/** Canonical codes of symbols that all have `length` bits: 0, 1, 2, ... */
const codes = (symbols) => new Map(symbols.map((s, i) => [s, i]));
const DC_CODES = codes(DC_SYMBOLS);
const AC_CODES = codes(AC_SYMBOLS);

const COS = Array.from({ length: 64 }, (_, i) => Math.cos(((2 * (i >> 3) + 1) * (i & 7) * Math.PI) / 16));

/**
 * `cmyk`: width*height*4 ink amounts (0 = none, as sharp's raw CMYK gives them); `icc`: an
 * optional profile to embed. Returns the JPEG bytes.
 */
export function ycckJpeg(cmyk, width, height, icc) {
  const planes = [0, 1, 2, 3].map(() => new Float64Array(width * height));
  for (let i = 0, p = 0; p < width * height; i += 4, p++) {
    // libjpeg's YCCK -> CMYK: C = 255 - R of the YCC triple, so R is the ink itself when stored inverted.
    const [r, g, b] = [cmyk[i], cmyk[i + 1], cmyk[i + 2]];
    planes[0][p] = 0.299 * r + 0.587 * g + 0.114 * b;
    planes[1][p] = -0.168736 * r - 0.331264 * g + 0.5 * b + 128;
    planes[2][p] = 0.5 * r - 0.418688 * g - 0.081312 * b + 128;
    planes[3][p] = 255 - cmyk[i + 3];
  }
  const out = [];
  const u16 = (v) => [v >> 8, v & 255];
  const segment = (marker, body) => out.push(0xff, marker, ...u16(body.length + 2), ...body);
  out.push(0xff, 0xd8);
  segment(0xee, [...Buffer.from('Adobe'), ...u16(100), 0, 0, 0, 0, 2]);
  if (icc) {
    const size = 65519;
    const count = Math.ceil(icc.length / size);
    for (let n = 0; n < count; n++) segment(0xe2, [...Buffer.from('ICC_PROFILE\0'), n + 1, count, ...icc.subarray(n * size, (n + 1) * size)]);
  }
  segment(0xdb, [0, ...new Array(64).fill(Q)]);
  segment(0xc0, [8, ...u16(height), ...u16(width), 4, ...[1, 2, 3, 4].flatMap((id) => [id, 0x11, 0])]);
  const bits = (length, n) => Array.from({ length: 16 }, (_, i) => (i + 1 === length ? n : 0));
  segment(0xc4, [0x00, ...bits(DC_LENGTH, DC_SYMBOLS.length), ...DC_SYMBOLS, 0x10, ...bits(AC_LENGTH, AC_SYMBOLS.length), ...AC_SYMBOLS]);
  segment(0xda, [4, ...[1, 2, 3, 4].flatMap((id) => [id, 0x00]), 0, 63, 0]);

  let acc = 0;
  let nbits = 0;
  const put = (value, length) => {
    for (let b = length - 1; b >= 0; b--) {
      acc = (acc << 1) | ((value >> b) & 1);
      if (++nbits === 8) {
        out.push(acc);
        if (acc === 0xff) out.push(0);
        acc = 0;
        nbits = 0;
      }
    }
  };
  const category = (v) => (v === 0 ? 0 : Math.floor(Math.log2(Math.abs(v))) + 1);
  const amplitude = (v, size) => (v >= 0 ? v : v + (1 << size) - 1);
  const pred = [0, 0, 0, 0];
  const block = new Float64Array(64);
  const coef = new Int32Array(64);
  for (let by = 0; by < height; by += 8)
    for (let bx = 0; bx < width; bx += 8)
      for (let c = 0; c < 4; c++) {
        for (let i = 0; i < 64; i++) {
          const x = Math.min(width - 1, bx + (i & 7));
          const y = Math.min(height - 1, by + (i >> 3));
          block[i] = planes[c][y * width + x] - 128;
        }
        for (let v = 0; v < 8; v++)
          for (let u = 0; u < 8; u++) {
            let s = 0;
            for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) s += block[y * 8 + x] * COS[x * 8 + u] * COS[y * 8 + v];
            const cu = u ? 1 : Math.SQRT1_2;
            const cv = v ? 1 : Math.SQRT1_2;
            coef[v * 8 + u] = Math.round((0.25 * cu * cv * s) / Q);
          }
        const dc = coef[0] - pred[c];
        pred[c] = coef[0];
        const dcSize = category(dc);
        put(DC_CODES.get(dcSize), DC_LENGTH);
        if (dcSize) put(amplitude(dc, dcSize), dcSize);
        let run = 0;
        for (let k = 1; k < 64; k++) {
          const v = coef[ZIGZAG[k]];
          if (v === 0) {
            run++;
            continue;
          }
          while (run > 15) {
            put(AC_CODES.get(0xf0), AC_LENGTH);
            run -= 16;
          }
          const size = category(v);
          put(AC_CODES.get((run << 4) | size), AC_LENGTH);
          put(amplitude(v, size), size);
          run = 0;
        }
        if (run) put(AC_CODES.get(0x00), AC_LENGTH);
      }
  if (nbits) put(0x7f, 8 - nbits); // pad with 1s
  out.push(0xff, 0xd9);
  return Buffer.from(out);
}
