import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FETCH_POLICY,
  type FetchPolicy,
  assertRemoteUrl,
  checkRemoteUrl,
  classifyIPv4,
  fetchPolicyFromEnv,
  ipOf,
  parseAllowedHosts,
  parseIPv4,
  parseIPv6,
} from '../../src/remote/policy';
import { CldError } from '../../src/url/errors';

const reason = (url: string, policy: FetchPolicy = DEFAULT_FETCH_POLICY) => {
  const v = checkRemoteUrl(url, policy);
  return v.ok ? `allowed ${v.url.href}` : v.reason;
};
const allow = (allowedHosts: string[], extra: Partial<FetchPolicy> = {}): FetchPolicy => ({ ...DEFAULT_FETCH_POLICY, allowedHosts, ...extra });
/** Everything allowlisted that can be, so that a refusal below is the notation's own. */
const permissive = allow(['127.0.0.1', '[::1]', 'localhost', 'metadata', 'metadata.google.internal', 'example.com', '*.example.com'], { allowHttp: true });

describe('IP literals in every notation are refused by default, and still when allowlisted', () => {
  // [what is written, what WHATWG URL makes of the host, the reason's key words]
  const table: [string, string, RegExp][] = [
    ['https://127.0.0.1/', '127.0.0.1', /loopback/],
    ['https://127.0.0.1./', '127.0.0.1', /loopback/],
    ['https://2130706433/', '127.0.0.1', /2130706433 \(127\.0\.0\.1\) is a loopback/],
    ['https://017700000001/', '127.0.0.1', /loopback/],
    ['https://0177.0.0.1/', '127.0.0.1', /0177\.0\.0\.1 \(127\.0\.0\.1\) is a loopback/],
    ['https://0x7f.1/', '127.0.0.1', /loopback/],
    ['https://0x7f000001/', '127.0.0.1', /loopback/],
    ['https://0x7f.0x0.0x0.0x1/', '127.0.0.1', /loopback/],
    ['https://127.1/', '127.0.0.1', /loopback/],
    ['https://127.0.1/', '127.0.0.1', /loopback/],
    ['https://127.000.000.001/', '127.0.0.1', /loopback/],
    ['https://１２７．０．０．１/', '127.0.0.1', /loopback/], // fullwidth digits and dots
    ['https://①②⑦.0.0.1/', '127.0.0.1', /loopback/], // circled digits, mapped by IDNA
    ['https://0.0.0.0/', '0.0.0.0', /unspecified/],
    ['https://0/', '0.0.0.0', /unspecified/],
    ['https://10.0.0.1/', '10.0.0.1', /private/],
    ['https://172.16.5.4/', '172.16.5.4', /private/],
    ['https://192.168.1.1/', '192.168.1.1', /private/],
    ['https://3232235777/', '192.168.1.1', /private/],
    ['https://100.64.0.1/', '100.64.0.1', /carrier-grade NAT/],
    ['https://169.254.169.254/latest/meta-data/', '169.254.169.254', /cloud metadata/],
    ['https://0xa9fea9fe/', '169.254.169.254', /cloud metadata/],
    ['https://169.254.170.2/v2/credentials', '169.254.170.2', /cloud metadata/],
    ['https://100.100.100.200/', '100.100.100.200', /cloud metadata/],
    ['https://169.254.1.1/', '169.254.1.1', /link-local/],
    ['https://224.0.0.1/', '224.0.0.1', /multicast/],
    ['https://255.255.255.255/', '255.255.255.255', /reserved/],
    ['https://192.0.2.1/', '192.0.2.1', /documentation/],
    ['https://[::1]/', '[::1]', /loopback/],
    ['https://[0:0:0:0:0:0:0:1]/', '[::1]', /loopback/],
    ['https://[::]/', '[::]', /unspecified/],
    ['https://[::ffff:127.0.0.1]/', '[::ffff:7f00:1]', /IPv4-mapped \(embedding 127\.0\.0\.1, loopback\)/],
    ['https://[::ffff:7f00:1]/', '[::ffff:7f00:1]', /IPv4-mapped/],
    ['https://[::ffff:169.254.169.254]/', '[::ffff:a9fe:a9fe]', /IPv4-mapped \(embedding 169\.254\.169\.254, cloud metadata\)/],
    ['https://[::ffff:0:127.0.0.1]/', '[::ffff:0:7f00:1]', /IPv4-translated/],
    ['https://[::127.0.0.1]/', '[::7f00:1]', /IPv4-compatible/],
    ['https://[64:ff9b::127.0.0.1]/', '[64:ff9b::7f00:1]', /NAT64 \(embedding 127\.0\.0\.1, loopback\)/],
    ['https://[64:ff9b::a9fe:a9fe]/', '[64:ff9b::a9fe:a9fe]', /NAT64/],
    ['https://[64:ff9b:1::1]/', '[64:ff9b:1::1]', /local-use NAT64/],
    ['https://[2002:7f00:1::]/', '[2002:7f00:1::]', /6to4 \(embedding 127\.0\.0\.1/],
    ['https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', '[2001:0:4136:e378:8000:63bf:3fff:fdd2]', /Teredo/],
    ['https://[fe80::1:5efe:7f00:1]/', '[fe80::1:5efe:7f00:1]', /link-local/],
    ['https://[2001:db9::5efe:a00:1]/', '[2001:db9::5efe:a00:1]', /ISATAP \(embedding 10\.0\.0\.1, private\)/],
    ['https://[fe80::1]/', '[fe80::1]', /link-local/],
    ['https://[fc00::1]/', '[fc00::1]', /unique local/],
    ['https://[fd12:3456::1]/', '[fd12:3456::1]', /unique local/],
    ['https://[fd00:ec2::254]/', '[fd00:ec2::254]', /cloud metadata/],
    ['https://[fec0::1]/', '[fec0::1]', /site-local/],
    ['https://[ff02::1]/', '[ff02::1]', /multicast/],
    ['https://[2001:db8::1]/', '[2001:db8::1]', /documentation/],
    ['https://[100::1]/', '[100::1]', /discard-only/],
  ];
  it.each(table)('%s', (url, canonical, why) => {
    expect(new URL(url).hostname.replace(/\.$/, '')).toBe(canonical);
    expect(reason(url)).toMatch(why);
    expect(reason(url, allow([canonical], { allowHttp: true }))).toMatch(why); // the allowlist does not help
    expect(reason(url, permissive)).toMatch(why);
  });

  it('the raw notation is read with the same rules as WHATWG URL (inet_aton)', () => {
    for (const raw of [
      '2130706433',
      '017700000001',
      '0177.0.0.1',
      '0x7f.1',
      '0x7f000001',
      '127.1',
      '127.0.1',
      '127.000.000.001',
      '0x7F.0.0.01',
      '127.0.0.1.',
    ]) {
      expect(parseIPv4(raw), raw).toBe(0x7f000001);
      expect(new URL(`http://${raw}/`).hostname.replace(/\.$/, ''), raw).toBe('127.0.0.1');
    }
    for (const name of ['example.com', '127.0.0.1.nip.io', '1.2.3.4.5', '256.0.0.1', '08.0.0.1', '0x1g', '']) expect(parseIPv4(name), name).toBeUndefined();
    expect(ipOf('[::ffff:127.0.0.1]')).toEqual({ kind: 6, value: [0, 0, 0, 0, 0, 0xffff, 0x7f00, 1] });
    expect(parseIPv6('1:2:3:4:5:6:7:8:9')).toBeUndefined();
    expect(parseIPv6('1::2::3')).toBeUndefined();
    expect(classifyIPv4(parseIPv4('8.8.8.8')!)).toBeUndefined();
  });

  it('public IP literals are fetched only when allowlisted exactly', () => {
    expect(reason('https://8.8.8.8/x.png')).toMatch(/disabled/);
    expect(reason('https://8.8.8.8/x.png', allow(['example.com']))).toMatch(/IP address literal; only allowlisted/);
    expect(reason('https://134744072/x.png', allow(['example.com']))).toMatch(/134744072 \(8\.8\.8\.8\) is an IP address literal/);
    expect(reason('https://8.8.8.8/x.png', allow(['8.8.8.8']))).toBe('allowed https://8.8.8.8/x.png');
    expect(reason('https://[2606:4700::1111]/x.png', allow(['[2606:4700::1111]']))).toBe('allowed https://[2606:4700::1111]/x.png');
    expect(reason('https://[2606:4700::1111]/x.png', allow(['example.com']))).toMatch(/IP address literal/);
    expect(reason('https://8.8.8.8/x.png', allow(['*.8.8.8']))).toMatch(/IP address literal/);
  });

  it('allowPrivate (tests only) lets allowlisted private literals through, nothing else', () => {
    const local = allow(['127.0.0.1:8787'], { allowHttp: true, allowPrivate: true });
    expect(reason('http://127.0.0.1:8787/a.png', local)).toBe('allowed http://127.0.0.1:8787/a.png');
    expect(reason('http://2130706433:8787/a.png', local)).toBe('allowed http://127.0.0.1:8787/a.png');
    expect(reason('http://127.0.0.1:8788/a.png', local)).toMatch(/IP address literal; only allowlisted/);
    expect(reason('http://10.0.0.1:8787/a.png', local)).toMatch(/IP address literal; only allowlisted/);
    expect(reason('http://localhost:8787/a.png', allow(['localhost:8787'], { allowHttp: true, allowPrivate: true }))).toMatch(/localhost name/);
  });
});

describe('special-use names are refused whatever the allowlist says', () => {
  const table: [string, RegExp][] = [
    ['https://localhost/a.png', /localhost name/],
    ['https://LOCALHOST./a.png', /localhost name/],
    ['https://ⓛocalhost/a.png', /localhost name/], // IDNA maps the circled letter
    ['https://img.localhost/a.png', /localhost name/],
    ['https://printer.local/a.png', /\.local/],
    ['https://db.internal/a.png', /\.internal/],
    ['https://metadata.google.internal/computeMetadata/v1/', /cloud metadata host/],
    ['https://metadata/computeMetadata/v1/', /cloud metadata host/],
    ['https://instance-data/latest/meta-data/', /cloud metadata host/],
    ['https://instance-data.ec2.internal/latest/', /cloud metadata host/],
    ['https://nas.localdomain/a.png', /\.localdomain/],
    ['https://nas.home.arpa/a.png', /home\.arpa/],
    ['https://1.0.0.127.in-addr.arpa/a.png', /\.arpa/],
    ['https://router.lan/a.png', /\.lan/],
    ['https://kubernetes.default.svc/a.png', /\.svc/],
    ['https://x.invalid/a.png', /\.invalid/],
    ['https://fileserver/a.png', /single-label/],
    ['https://127.0.0.1.nip.io/a.png', /resolves to loopback/],
    ['https://app.localtest.me/a.png', /resolves to loopback/],
    ['https://localtest.me/a.png', /resolves to loopback/],
    ['https://7f000001.sslip.io/a.png', /resolves to loopback/],
  ];
  it.each(table)('%s', (url, why) => {
    expect(reason(url)).toMatch(why);
    const host = new URL(url).hostname.replace(/\.$/, '');
    expect(reason(url, allow([host, `*.${host.split('.').slice(1).join('.') || host}`]))).toMatch(why);
  });

  it('a host name is fetched only when allowlisted: there is no DNS lookup to catch one that points at 127.0.0.1', () => {
    // Workers have no resolver API, so a name such as a rebinding domain that answers 127.0.0.1 cannot
    // be detected here; the allowlist is the defence (and deployed Workers cannot reach private networks).
    expect(reason('https://rebind.attacker.example/a.png')).toMatch(/disabled/);
    expect(reason('https://rebind.attacker.example/a.png', allow(['images.example.org']))).toMatch(/not in the allowed fetch hosts/);
    expect(reason('https://images.example.org/a.png', allow(['images.example.org']))).toBe('allowed https://images.example.org/a.png');
  });
});

describe('URL shape', () => {
  const policy = allow(['example.com', '*.cdn.example.net', 'ports.example.com:8443']);
  const table: [string, string | RegExp][] = [
    ['ftp://example.com/a.png', /scheme ftp: is not allowed/],
    ['file:///etc/passwd', /scheme file: is not allowed/],
    ['data:image/png;base64,iVBORw0KGgo=', /scheme data: is not allowed/],
    ['javascript:alert(1)', /scheme javascript: is not allowed/],
    ['gopher://example.com/', /scheme gopher: is not allowed/],
    ['//example.com/a.png', /must be absolute/],
    ['/a.png', /must be absolute/],
    ['https:example.com/a.png', /must start with https:\/\//],
    ['http://example.com/a.png', /http:\/\/ remote URLs are not allowed/],
    ['https://user:pass@example.com/a.png', /credentials/],
    ['https://@example.com/a.png', /credentials/],
    ['https://example.com@evil.example/a.png', /credentials/],
    ['https://example.com\\@evil.example/a.png', /backslash/],
    ['https://example.com/a.png\n', /control characters/],
    [' https://example.com/a.png', /whitespace/],
    ['https://exa\tmple.com/a.png', /control characters/],
    ['https://example.com:8443/a.png', /port 8443 is not allowed for example.com/],
    ['https://example.com:443/a.png', 'allowed https://example.com/a.png'],
    ['https://ports.example.com:8443/a.png', 'allowed https://ports.example.com:8443/a.png'],
    ['https://ports.example.com/a.png', /port 443 is not allowed/],
    ['https://EXAMPLE.com./a.png#frag', 'allowed https://example.com/a.png'],
    ['https://example.com../a.png', /Invalid remote host/],
    ['https://example.com/a%3Fb.png?x=1', 'allowed https://example.com/a%3Fb.png?x=1'],
    ['https://img.cdn.example.net/a.png', 'allowed https://img.cdn.example.net/a.png'],
    ['https://a.b.cdn.example.net/a.png', 'allowed https://a.b.cdn.example.net/a.png'],
    ['https://cdn.example.net/a.png', /not in the allowed fetch hosts/],
    ['https://evilcdn.example.net/a.png', /not in the allowed fetch hosts/],
    ['https://example.com.evil.example/a.png', /not in the allowed fetch hosts/],
    ['https://sub.example.com/a.png', /not in the allowed fetch hosts/],
    ['https://exa%6dple.com/a.png', 'allowed https://example.com/a.png'],
    ['https://', /Invalid remote URL/],
    [`https://example.com/${'a'.repeat(3100)}`, /longer than 3072/],
  ];
  it.each(table)('%s', (url, want) => {
    if (typeof want === 'string') expect(reason(url, policy)).toBe(want);
    else expect(reason(url, policy)).toMatch(want);
  });

  it('IDN hosts are compared in punycode, as URL normalises them', () => {
    const idn = allow(['bücher.example']);
    expect(parseAllowedHosts('bücher.example')).toEqual(['xn--bcher-kva.example']);
    expect(reason('https://BÜCHER.example/a.png', idn)).toBe('allowed https://xn--bcher-kva.example/a.png');
    expect(reason('https://xn--bcher-kva.example/a.png', idn)).toBe('allowed https://xn--bcher-kva.example/a.png');
    expect(reason('https://bucher.example/a.png', idn)).toMatch(/not in the allowed/);
  });

  it('http is allowed only with allowHttp', () => {
    expect(reason('http://example.com/a.png', allow(['example.com'], { allowHttp: true }))).toBe('allowed http://example.com/a.png');
    expect(reason('http://example.com:80/a.png', allow(['example.com'], { allowHttp: true }))).toBe('allowed http://example.com/a.png');
  });

  it('an empty allowlist disables fetching', () => {
    expect(reason('https://example.com/a.png')).toBe('Remote fetch is disabled: no allowed fetch hosts are configured (FETCH_ALLOWED_HOSTS)');
  });

  it('assertRemoteUrl throws CldError 400 with the reason', () => {
    let err: unknown;
    try {
      assertRemoteUrl('http://[::1]/', DEFAULT_FETCH_POLICY);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CldError);
    expect((err as CldError).status).toBe(400);
    expect((err as CldError).message).toBe('http:// remote URLs are not allowed (use https, or set FETCH_ALLOW_HTTP)');
    expect(assertRemoteUrl('https://example.com/a.png', policy).href).toBe('https://example.com/a.png');
  });
});

describe('configuration', () => {
  it('parses FETCH_ALLOWED_HOSTS and FETCH_ALLOW_HTTP', () => {
    expect(fetchPolicyFromEnv({})).toEqual({ allowedHosts: [], allowHttp: false, maxRedirects: 3, allowPrivate: false });
    expect(fetchPolicyFromEnv({ FETCH_ALLOWED_HOSTS: ' Example.com, *.CDN.example.net  img.example.org:8443 ', FETCH_ALLOW_HTTP: 'true' })).toEqual({
      allowedHosts: ['example.com', '*.cdn.example.net', 'img.example.org:8443'],
      allowHttp: true,
      maxRedirects: 3,
      allowPrivate: false,
    });
    for (const bad of ['*', 'https://example.com', 'example.com/path', 'user@example.com', '*.1.2.3.4', 'a..b', '*.']) {
      expect(() => parseAllowedHosts(bad), bad).toThrow(/FETCH_ALLOWED_HOSTS/);
    }
  });
});
