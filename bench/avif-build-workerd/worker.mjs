// Can the own build run in workerd? The glue is instantiated from the precompiled module binding
// (no fetch, no filesystem); GET /?q=64&s=8 encodes an 800x600 synthetic image and returns the AVIF.
import createAvifEncoder from './avif_enc.mjs';
import wasm from './avif_enc.wasm';

let encoder;
async function get() {
  if (!encoder) {
    let exports;
    const m = await createAvifEncoder({
      noInitialRun: true,
      // The glue otherwise resolves new URL("avif_enc.wasm", import.meta.url), which throws here.
      locateFile: (path) => path,
      instantiateWasm(imports, done) {
        const instance = new WebAssembly.Instance(wasm, imports);
        exports = instance.exports;
        done(instance);
        return instance.exports;
      },
    });
    const memory = Object.values(exports).find((e) => e instanceof WebAssembly.Memory);
    encoder = { m, memory };
  }
  return encoder;
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const q = Number(url.searchParams.get('q') ?? 64);
    const s = Number(url.searchParams.get('s') ?? 8);
    const w = 800;
    const h = 600;
    const rgba = new Uint8Array(w * h * 4);
    let seed = 1;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        const n = (seed >>> 24) & 15;
        const p = (y * w + x) * 4;
        rgba[p] = (x * 255) / w + n;
        rgba[p + 1] = (y * 255) / h + n;
        rgba[p + 2] = ((x ^ y) & 255) / 2 + n;
        rgba[p + 3] = 255;
      }
    const { m, memory } = await get();
    const ptr = m._malloc(rgba.length);
    new Uint8Array(memory.buffer, ptr, rgba.length).set(rgba);
    const n = m._avif_encode(ptr, w, h, q, s, 0);
    m._free(ptr);
    if (!n) return new Response('encode failed', { status: 500 });
    const out = new Uint8Array(memory.buffer, m._avif_result_ptr(), n).slice();
    m._avif_result_free();
    return new Response(out, { headers: { 'content-type': 'image/avif', 'x-wasm-memory': String(memory.buffer.byteLength) } });
  },
};
