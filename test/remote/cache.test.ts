import { describe, expect, it } from 'vitest';
import {
  FETCH_TTL_SECONDS,
  fetchedKey,
  fetchedMeta,
  fromCustomMetadata,
  isFresh,
  normaliseFetchUrl,
  parseFetchTtl,
  refreshed,
  revalidationOf,
  toCustomMetadata,
} from '../../src/remote';
import { hexDigest } from '../../src/url/signature';

const DAY = 24 * 60 * 60 * 1000;

describe('fetched originals: keys', () => {
  it('normalises the URL the way URL parsing does, without the fragment or a trailing host dot', () => {
    expect(normaliseFetchUrl('HTTPS://Example.COM.:443/a/../b.png?x=1#frag')).toBe('https://example.com/b.png?x=1');
    expect(normaliseFetchUrl('https://bücher.example/a.png')).toBe('https://xn--bcher-kva.example/a.png');
    expect(normaliseFetchUrl('https://example.com/a b.png')).toBe('https://example.com/a%20b.png');
    // The query is part of the identity and is not reordered.
    expect(normaliseFetchUrl('https://example.com/a.png?b=2&a=1')).not.toBe(normaliseFetchUrl('https://example.com/a.png?a=1&b=2'));
    expect(() => normaliseFetchUrl('not a url')).toThrow(/Invalid remote URL/);
  });

  it('derives fetch/<cloud>/<sha256 of the normalised URL>', async () => {
    const key = await fetchedKey('demo', 'https://EXAMPLE.com./b.png#x');
    expect(key).toBe(`fetch/demo/${await hexDigest('https://example.com/b.png')}`);
    expect(key).toMatch(/^fetch\/demo\/[0-9a-f]{64}$/);
    expect(await fetchedKey('demo', 'https://example.com/b.png')).toBe(key);
    expect(await fetchedKey('other', 'https://example.com/b.png')).not.toBe(key);
    expect(await fetchedKey('demo', 'https://example.com/c.png')).not.toBe(key);
  });
});

describe('fetched originals: metadata and freshness', () => {
  const now = Date.UTC(2026, 0, 1);
  const meta = fetchedMeta('https://example.com/a.png#f', { etag: '"v1"', lastModified: 'Wed, 01 Jan 2025 00:00:00 GMT' }, now);

  it('records url, validators, fetchedAt and the 7-day default TTL', () => {
    expect(FETCH_TTL_SECONDS).toBe(604_800);
    expect(meta).toEqual({ url: 'https://example.com/a.png', etag: '"v1"', lastModified: 'Wed, 01 Jan 2025 00:00:00 GMT', fetchedAt: now, ttl: 604_800 });
    expect(fetchedMeta('https://example.com/a.png', {}, now, 60)).toEqual({ url: 'https://example.com/a.png', fetchedAt: now, ttl: 60 });
  });

  it('is fresh for ttl seconds after fetchedAt', () => {
    expect(isFresh(meta, now)).toBe(true);
    expect(isFresh(meta, now + 7 * DAY - 1)).toBe(true);
    expect(isFresh(meta, now + 7 * DAY)).toBe(false);
    expect(isFresh(meta, now - DAY)).toBe(true); // clock skew
    expect(isFresh(meta, now + 2 * DAY, 86_400)).toBe(false); // a shorter configured FETCH_TTL applies
    expect(isFresh(meta, now + 2 * DAY, 30 * 86_400)).toBe(true);
    expect(isFresh(meta, now, 0)).toBe(false); // FETCH_TTL=0: always revalidate
  });

  it('revalidates with the stored validators and refreshes on 304', () => {
    expect(revalidationOf(meta)).toEqual({ etag: '"v1"', lastModified: 'Wed, 01 Jan 2025 00:00:00 GMT' });
    expect(revalidationOf(fetchedMeta('https://example.com/a.png', {}, now))).toEqual({});
    const later = now + 8 * DAY;
    const r = refreshed(meta, { notModified: true, etag: '"v1"', finalUrl: 'https://example.com/a.png' }, later);
    expect(r).toEqual({ ...meta, fetchedAt: later });
    expect(isFresh(r, later + DAY)).toBe(true);
    expect(refreshed(meta, { notModified: true, etag: '"v2"', finalUrl: '' }, later).etag).toBe('"v2"');
  });

  it('round-trips through R2 customMetadata (strings only)', () => {
    const record = toCustomMetadata(meta);
    expect(record).toEqual({
      url: 'https://example.com/a.png',
      etag: '"v1"',
      lastModified: 'Wed, 01 Jan 2025 00:00:00 GMT',
      fetchedAt: String(now),
      ttl: '604800',
    });
    for (const v of Object.values(record)) expect(typeof v).toBe('string');
    expect(fromCustomMetadata(record)).toEqual(meta);
    expect(fromCustomMetadata(toCustomMetadata({ url: 'https://x.example/', fetchedAt: 1, ttl: 0 }))).toEqual({
      url: 'https://x.example/',
      fetchedAt: 1,
      ttl: 0,
    });
    expect(fromCustomMetadata(undefined)).toBeUndefined();
    expect(fromCustomMetadata({ public_id: 'sample' })).toBeUndefined(); // an upload original's metadata
    expect(fromCustomMetadata({ ...record, fetchedAt: 'yesterday' })).toBeUndefined();
    expect(fromCustomMetadata({ ...record, ttl: '-1' })).toBeUndefined();
  });

  it('parses FETCH_TTL', () => {
    expect(parseFetchTtl(undefined)).toBe(604_800);
    expect(parseFetchTtl('')).toBe(604_800);
    expect(parseFetchTtl('3600')).toBe(3600);
    expect(parseFetchTtl(' 0 ')).toBe(0);
    for (const bad of ['7d', '-1', '1.5', 'never']) expect(() => parseFetchTtl(bad), bad).toThrow(/FETCH_TTL/);
  });
});
