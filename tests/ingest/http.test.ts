import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { decodeBody, FetchError, fetchText, isPrivateAddress, type FetchOptions } from '../../src/ingest/http.js';
import { startFeedServer, type FeedServer } from '../helpers/feed-server.js';

const opts: FetchOptions = {
  timeoutMs: 2000,
  maxBytes: 1024 * 1024,
  userAgent: 'NashraTest/1.0 (+tests)',
  allowPrivate: true,
};
let server: FeedServer;
let bytesSentBeforeAbort = 0;

beforeAll(async () => {
  server = await startFeedServer({
    '/atom': { file: 'feeds/atom.xml', etag: '"v1"', lastModified: 'Fri, 10 Jan 2025 12:00:00 GMT' },
    '/lm-only': { file: 'feeds/atom.xml', lastModified: 'Fri, 10 Jan 2025 12:00:00 GMT' },
    '/gz': { file: 'feeds/content-encoded.rss', gzip: true },
    '/slow': { body: 'late', delayMs: 1500 },
    '/missing': { body: 'gone', status: 404 },
    '/boom': { body: 'oops', status: 500 },
    '/loop-a': { status: 302, headers: { location: '/loop-b' } },
    '/loop-b': { status: 302, headers: { location: '/loop-a' } },
    '/r1': { status: 301, headers: { location: '/r2' } },
    '/r2': { status: 302, headers: { location: '/r3' } },
    '/r3': { status: 307, headers: { location: '/atom' } },
    '/to-file': { status: 302, headers: { location: 'file:///etc/passwd' } },
    '/cp1256': { file: 'feeds/windows-1256.rss', contentType: 'application/rss+xml; charset=windows-1256' },
    '/iso': { file: 'feeds/iso-8859-6.rss', contentType: 'application/xml' },
    '/meta-1256': {
      body: iconv.encode(
        '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1256"><title>خبر عاجل</title></head><body><p>نص الخبر</p></body></html>',
        'windows-1256',
      ),
      contentType: 'text/html',
    },
    '/undeclared-1256': {
      body: iconv.encode('<p>دمشق اليوم</p>', 'windows-1256'),
      contentType: 'text/html; charset=utf-8',
    },
    '/huge': {
      // 50 MB announced and streamed in 64 KB chunks; the client must stop reading at its limit.
      handler: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-length': String(50 * 1024 * 1024) });
        const chunk = Buffer.alloc(64 * 1024, 'a');
        bytesSentBeforeAbort = 0;
        const pump = () => {
          while (bytesSentBeforeAbort < 50 * 1024 * 1024 && !res.destroyed) {
            bytesSentBeforeAbort += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('close', () => res.destroy());
        pump();
      },
    },
    // Headers only, then silence: a client that waits for the body waits for its timeout.
    '/declared-5gib-unknown': {
      handler: (_req, res) =>
        void res
          .writeHead(200, {
            'content-type': 'application/rss+xml',
            'content-encoding': 'x-nashra-unknown',
            'content-length': String(5 * 1024 ** 3),
          })
          .flushHeaders(),
    },
    '/declared-1gb-gzip': {
      handler: (_req, res) =>
        void res
          .writeHead(200, {
            'content-type': 'application/rss+xml',
            'content-encoding': 'gzip',
            'content-length': String(1e9),
          })
          .flushHeaders(),
    },
    '/huge-chunked': {
      handler: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        const chunk = Buffer.alloc(64 * 1024, 'a');
        let sent = 0;
        const pump = () => {
          while (sent < 50 * 1024 * 1024 && !res.destroyed) {
            sent += chunk.length;
            bytesSentBeforeAbort = sent;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
      },
    },
  });
});
afterAll(() => server.close());

const failure = async (p: Promise<unknown>): Promise<FetchError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FetchError);
  return err as FetchError;
};

describe('fetchText', () => {
  it('sends an honest User-Agent and a conditional GET with the stored validators, and gets a 304', async () => {
    const first = await fetchText(`${server.base}/atom`, opts);
    expect(first.status).toBe(200);
    expect(first.etag).toBe('"v1"');
    expect(first.text).toContain('<feed');
    const second = await fetchText(`${server.base}/atom`, {
      ...opts,
      etag: first.etag,
      lastModified: first.lastModified,
    });
    expect(second).toMatchObject({ status: 304, notModified: true, text: '' });
    const [, req] = server.hits('/atom');
    expect(req!.headers['if-none-match']).toBe('"v1"');
    expect(req!.headers['if-modified-since']).toBe('Fri, 10 Jan 2025 12:00:00 GMT');
    expect(req!.headers['user-agent']).toBe('NashraTest/1.0 (+tests)');
    const lm = await fetchText(`${server.base}/lm-only`, { ...opts, lastModified: 'Fri, 10 Jan 2025 12:00:00 GMT' });
    expect(lm.notModified).toBe(true);
  });

  it('decodes gzip', async () => {
    const res = await fetchText(`${server.base}/gz`, opts);
    expect(server.hits('/gz')[0]!.headers['accept-encoding']).toMatch(/gzip.*br/);
    expect(res.text).toContain('content:encoded');
  });

  it('times out with kind "timeout"', async () => {
    const err = await failure(fetchText(`${server.base}/slow`, { ...opts, timeoutMs: 200 }));
    expect(err.kind).toBe('timeout');
    expect(err.message).toContain('/slow');
  });

  it('turns HTTP 404 and 500 into kind "http" with the status', async () => {
    expect(await failure(fetchText(`${server.base}/missing`, opts))).toMatchObject({ kind: 'http', status: 404 });
    expect(await failure(fetchText(`${server.base}/boom`, opts))).toMatchObject({ kind: 'http', status: 500 });
  });

  it('follows redirects, detects loops, and refuses non-http targets', async () => {
    const res = await fetchText(`${server.base}/r1`, opts);
    expect(res.url).toBe(`${server.base}/atom`);
    expect((await failure(fetchText(`${server.base}/loop-a`, opts))).kind).toBe('redirects');
    expect((await failure(fetchText(`${server.base}/to-file`, opts))).kind).toBe('blocked');
  });

  it('stops more than 5 redirects', async () => {
    for (let i = 0; i < 7; i++) server.route(`/chain-${i}`, { status: 302, headers: { location: `/chain-${i + 1}` } });
    server.route('/chain-7', { body: 'end' });
    const err = await failure(fetchText(`${server.base}/chain-0`, opts));
    expect(err.kind).toBe('redirects');
    server.route('/chain-2', { body: 'end' });
    expect((await fetchText(`${server.base}/chain-0`, opts)).text).toBe('end');
  });

  it('aborts a 50 MB body at the limit while streaming', async () => {
    const before = process.memoryUsage().rss;
    expect((await failure(fetchText(`${server.base}/huge`, opts))).kind).toBe('too-large'); // announced length
    const err = await failure(fetchText(`${server.base}/huge-chunked`, opts));
    expect(err.kind).toBe('too-large');
    expect(err.message).toContain('1048576 bytes');
    await new Promise((r) => setTimeout(r, 50));
    expect(bytesSentBeforeAbort).toBeLessThan(20 * 1024 * 1024);
    expect(process.memoryUsage().rss - before).toBeLessThan(40 * 1024 * 1024);
  });

  it('refuses a declared length over the limit at once, whatever the encoding (issue 21, item 10)', async () => {
    // Before: 5 GiB with an unknown encoding threw a RangeError from the buffer allocation; 1 GB gzip waited for the timeout.
    const slow = { ...opts, timeoutMs: 60_000 };
    for (const [path, declared] of [
      ['/declared-5gib-unknown', 5 * 1024 ** 3],
      ['/declared-1gb-gzip', 1e9],
    ] as const) {
      const err = await failure(fetchText(`${server.base}${path}`, slow));
      expect(err.kind, path).toBe('too-large');
      expect(err.message).toBe(
        `${server.base}${path}: the server announces ${declared} bytes, more than the 1048576-byte limit (NASHRA_FETCH_MAX_BYTES); not downloaded`,
      );
    }
  }, 5000);

  it('decodes windows-1256 (header), ISO-8859-6 (XML declaration only) and a <meta http-equiv> charset', async () => {
    const cp = await fetchText(`${server.base}/cp1256`, opts);
    expect(cp.charset).toBe('windows-1256');
    expect(cp.text).toContain('<title>قديم</title>');
    const iso = await fetchText(`${server.base}/iso`, opts);
    expect(iso.charset).toBe('iso-8859-6');
    expect(iso.text).toContain('<title>السمك</title>');
    const meta = await fetchText(`${server.base}/meta-1256`, opts);
    expect(meta.text).toContain('خبر عاجل');
  });

  it('keeps a declared charset when a few bytes are invalid in it, and drops those (issue 21, item 9)', () => {
    // Before: one stray byte in UTF-8 Arabic had the whole body read as windows-1256.
    const arabic = Buffer.from('<title>خبر عاجل</title>');
    const stray = Buffer.concat([arabic.subarray(0, 13), Buffer.from([0xa0]), arabic.subarray(13)]);
    expect(decodeBody(stray, 'application/rss+xml; charset=utf-8')).toEqual({
      text: '<title>خبر عاجل</title>',
      charset: 'utf-8',
      undecodable: 1,
    });
    expect(decodeBody(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf, 0x41, 0xa0]), arabic]), '')).toEqual({
      text: 'A<title>خبر عاجل</title>',
      charset: 'utf-8',
      undecodable: 1,
    });
    // A byte ISO-8859-6 leaves unassigned (0xA1) is dropped the same way.
    expect(decodeBody(Buffer.from('<?xml version="1.0" encoding="ISO-8859-6"?><a>\xa1\xc7</a>', 'latin1'), '')).toEqual(
      {
        text: '<?xml version="1.0" encoding="ISO-8859-6"?><a>ا</a>',
        charset: 'iso-8859-6',
        undecodable: 1,
      },
    );
  });

  it('reads bytes that are not the UTF-8 they claim as windows-1256', async () => {
    const res = await fetchText(`${server.base}/undeclared-1256`, opts);
    expect(res.text).toBe('<p>دمشق اليوم</p>');
    expect(res.text).not.toContain('\uFFFD');
  });

  it('refuses loopback and private addresses unless allowed, IP literals and names alike', async () => {
    const strict = { ...opts, allowPrivate: false };
    const literal = await failure(fetchText(`${server.base}/atom`, strict));
    expect(literal.kind).toBe('blocked');
    expect(literal.message).toContain('NASHRA_ALLOW_PRIVATE_FETCH');
    const port = new URL(server.base).port;
    expect((await failure(fetchText(`http://localhost:${port}/atom`, strict))).kind).toBe('blocked');
    expect((await failure(fetchText(`http://[::ffff:127.0.0.1]:${port}/atom`, strict))).kind).toBe('blocked');
    expect((await failure(fetchText('ftp://example.com/feed', strict))).kind).toBe('blocked');
  });

  it('refuses every IPv6 form that carries a private or loopback IPv4 address, dotted and in hex (issue 21, item 11)', async () => {
    // Before: [::127.0.0.1] (IPv4-compatible) passed the check, as did translated, NAT64 local-use, Teredo and ISATAP forms.
    const refused = [
      '::127.0.0.1',
      '::7f00:1',
      '::10.0.0.1',
      '::a00:1',
      '::8.8.8.8', // IPv4-compatible, deprecated: refused whole
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '0:0:0:0:0:ffff:a9fe:a9fe', // mapped
      '::ffff:0:127.0.0.1',
      '::ffff:0:7f00:1',
      '::ffff:0:192.168.1.1', // translated (SIIT)
      '64:ff9b::127.0.0.1',
      '64:ff9b::7f00:1',
      '64:ff9b::10.1.2.3',
      '64:ff9b::a9fe:a9fe', // NAT64 well-known prefix
      '64:ff9b:1::127.0.0.1',
      '64:ff9b:1:7f00:1::',
      '64:ff9b:1::808:808', // NAT64 local-use: refused whole
      '2002:7f00:1::',
      '2002:7f00:0001::1',
      '2002:0a00:0001::',
      '2002:808:808::1',
      '2002:7f00:1::127.0.0.1', // 6to4: refused whole
      '2001:0:7f00:1::1',
      '2001:0000:4136:e378:8000:63bf:3fff:fdd2',
      '2001::80ff:fffe',
      '2001:0:7f00:1::127.0.0.1', // Teredo: refused whole
      '2a00:1450::5efe:127.0.0.1',
      '2a00:1450::5efe:7f00:1',
      '2a00:1450::200:5efe:10.0.0.1',
      '2a00:1450::200:5efe:a00:1', // ISATAP
    ];
    for (const a of refused) expect(isPrivateAddress(a), a).toBe(true);
    // The same embedding of a public address, where the form is still in use, is a public address.
    for (const a of [
      '::ffff:8.8.8.8',
      '::ffff:808:808',
      '64:ff9b::8.8.8.8',
      '64:ff9b::808:808',
      '2a00:1450::5efe:8.8.8.8',
      '2001:db8:85a3::8a2e:370:7334',
    ]) {
      expect(isPrivateAddress(a), a).toBe(false);
    }
    const port = new URL(server.base).port;
    const strict = { ...opts, allowPrivate: false };
    for (const a of refused) {
      const err = await failure(fetchText(`http://[${a}]:${port}/atom`, strict));
      expect(err.kind, a).toBe('blocked');
      expect(err.message, a).toContain('a private or local network address');
    }
  });

  it('classifies private, local and mapped addresses', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '100.64.0.1',
      '169.254.169.254',
      '0.0.0.0',
      '::1',
      '::',
      'fc00::1',
      'fd12:3456::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:10.0.0.1',
      'not-an-ip',
    ]) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8']) {
      expect(isPrivateAddress(a), a).toBe(false);
    }
  });
});
