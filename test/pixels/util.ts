import { env } from 'cloudflare:workers';
import { decode } from '../../src/codecs/decode';
import { readHeader } from '../../src/codecs/header';
import type { Raster } from '../../src/pixels/raster';

export async function fixture(name: string): Promise<Uint8Array> {
  const res = await fetchFixture(name).catch((e: Error) => {
    // The Node-side service closes a keep-alive connection after 5 s idle (Node's default); a test
    // that computed for about that long can send its next request down the closing connection
    // and get "Network connection lost". The request is a GET: one retry on a new connection.
    if (!/Network connection lost/.test(e.message)) throw e;
    return fetchFixture(name);
  });
  if (!res.ok) throw new Error(`fixture ${name}: ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

function fetchFixture(name: string): Promise<Response> {
  return env.FIXTURES.fetch(`http://f/${name}`);
}

export async function load(name: string, shrink: 1 | 2 | 4 | 8 = 1): Promise<Raster> {
  const bytes = await fixture(name);
  return decode(bytes, readHeader(bytes), shrink);
}

/** PSNR in dB over the given channels (default RGB) of two same-size rasters. */
export function psnr(a: Raster, b: Raster, channels = 3): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`size ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  let se = 0;
  let n = 0;
  for (let i = 0; i < a.data.length; i += 4)
    for (let c = 0; c < channels; c++) {
      const d = a.data[i + c] - b.data[i + c];
      se += d * d;
      n++;
    }
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255 * n) / se);
}

export function solid(width: number, height: number, rgba: [number, number, number, number]): Raster {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set(rgba, i);
  return { width, height, data, opaque: rgba[3] === 255 };
}

/** A raster whose pixel (x, y) is [x, y, 7, 255]: positions are readable after geometry. */
export function coords(width: number, height: number): Raster {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([x, y, 7, 255], (y * width + x) * 4);
  return { width, height, data, opaque: true };
}

export function px(r: Raster, x: number, y: number): number[] {
  const i = (y * r.width + x) * 4;
  return Array.from(r.data.subarray(i, i + 4));
}
