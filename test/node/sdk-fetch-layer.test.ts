// The official SDK's fetch layers (overlay/underlay {url} or 'fetch:<url>') parse as dprox's fetch layers:
// the SDK writes url-safe base64 of encodeURI(url) without padding.
import cloudinary from 'cloudinary';
import { describe, expect, it } from 'vitest';
import { formatLayerId } from '../../src/url/layer-id';
import { parseDeliveryPath } from '../../src/url/delivery-url';

const sdk = cloudinary.v2;
sdk.config({ cloud_name: 'demo', secure: true });

function layerOf(url: string): { l?: unknown; u?: unknown } {
  const parsed = parseDeliveryPath(new URL(url).pathname, 'demo');
  return parsed.components.find((c) => c.l !== undefined || c.u !== undefined) as { l?: unknown; u?: unknown };
}

describe('SDK fetch layers', () => {
  it('overlay {url} → l_fetch:<base64url>, decoded to the (encodeURI-ed) URL and written back the same', () => {
    const remote = 'https://origin.test/img/blue-40x20.png?n=ä b&x=1';
    const url = sdk.url('sample', { transformation: [{ overlay: { url: remote } }, { flags: 'layer_apply', gravity: 'north_west' }] });
    const written = /\/(l_fetch:[^/]+)\//.exec(url)![1];
    const c = layerOf(url);
    expect(c.l).toBe(`fetch:${encodeURI(remote)}`);
    expect(`l_${formatLayerId(c.l as string)}`).toBe(written);
  });

  it("underlay 'fetch:<url>' → u_fetch:<base64url>", () => {
    const url = sdk.url('sample', { underlay: 'fetch:https://origin.test/a/b.png' });
    expect(url).toContain('/u_fetch:');
    expect(layerOf(url).u).toBe('fetch:https://origin.test/a/b.png');
  });
});
