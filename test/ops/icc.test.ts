import { describe, expect, it } from 'vitest';
import { decode } from '../../src/codecs/decode';
import { readHeader } from '../../src/codecs/header';
import { headerProfile, iccTransform, toSrgb } from '../../src/ops/icc';
import { wasmMemory } from '../../src/kernels/memory';
import { fixture, load, psnr } from '../pixels/util';

describe('ICC profiles to sRGB', () => {
  it.each(['p3.jpg', 'p3.png', 'p3.webp'])('%s: the profile is found and converted like sharp converts it', async (name) => {
    const bytes = await fixture(name);
    const header = readHeader(bytes);
    const t = iccTransform(await headerProfile(header));
    expect(t).not.toBeNull();
    const raw = await decode(bytes, header);
    const converted = toSrgb(raw, t);
    const ref = await load(`${name}-ref.png`);
    const before = psnr(raw, ref),
      after = psnr(converted, ref);
    console.log(`${name}: PSNR vs sharp's sRGB ${before.toFixed(1)} dB unconverted, ${after.toFixed(1)} dB converted`);
    expect(after).toBeGreaterThan(38);
    expect(after).toBeGreaterThan(before + 3);
  });

  it("sRGB's own profile, untagged images and garbage are left alone", async () => {
    const tagged = readHeader(await fixture('srgb-tagged.jpg'));
    expect(tagged.icc?.length).toBeGreaterThan(100);
    expect(iccTransform(await headerProfile(tagged))).toBeNull();
    expect(readHeader(await fixture('medium.jpg')).icc).toBeUndefined();
    expect(iccTransform(new Uint8Array(200))).toBeNull();
    expect(iccTransform(new Uint8Array(10))).toBeNull();
    const p3 = (await headerProfile(readHeader(await fixture('p3.jpg'))))!;
    expect(iccTransform(p3.slice(0, 140))).toBeNull(); // truncated tag table
  });
});

describe('ICC profile bombs', () => {
  it("a PNG's iCCP that inflates past 1 MiB is ignored without inflating it all", async () => {
    // 64 MiB of zeros, deflated: a tiny chunk that a naive reader would inflate whole.
    const bomb = new Uint8Array(await new Response(new Blob([new Uint8Array(64 << 20)]).stream().pipeThrough(new CompressionStream('deflate'))).arrayBuffer());
    expect(
      await headerProfile({
        format: 'png',
        width: 1,
        height: 1,
        hasAlpha: false,
        orientation: 1,
        progressive: false,
        animated: false,
        components: 3,
        iccDeflated: bomb,
      }),
    ).toBeUndefined();
    expect(wasmMemory().deflate).toBeLessThan(4 * 2 ** 20); // inflated into a 1 MiB buffer, no further
    const p3 = readHeader(await fixture('p3.png'));
    expect((await headerProfile(p3))!.length).toBeGreaterThan(100);
  });
});
