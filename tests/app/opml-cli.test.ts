/**
 * Issue 12, section 5: `nashra sources import/export` as a child process, against feeds served on 127.0.0.1, with
 * a file shaped like a feed reader's export (tests/fixtures/opml), and the rows read back.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOpml } from 'feedsmith';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/cli.js';
import { FIXTURES, startFeedServer, type FeedServer } from '../helpers/feed-server.js';
import { createDatabase, type OwnedDatabase } from '../helpers/raw-db.js';

let server: FeedServer;
let dir: string;
/** One database for the file: its tests follow one another (the export is of the import's sources). */
let db: OwnedDatabase;
let opml: string;

const nashra = (args: string[], env: Record<string, string> = { NASHRA_ALLOW_PRIVATE_FETCH: '1' }) =>
  runCliInProcess(args, { env: { ...db.env, NASHRA_FETCH_TIMEOUT_MS: '3000', ...env } });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nashra-opml-'));
  db = await createDatabase();
  server = await startFeedServer({
    '/atom.xml': { file: 'feeds/atom.xml' },
    '/content.rss': { file: 'feeds/content-encoded.rss' },
    '/feed.json': { file: 'feeds/feed.json' },
    '/followed.rss': { file: 'feeds/wp-excerpt.rss' },
  });
  opml = join(dir, 'inoreader.opml');
  writeFileSync(
    opml,
    readFileSync(join(FIXTURES, 'opml/inoreader-export.opml'), 'utf8').replaceAll('{{BASE}}', server.base),
  );
});
afterAll(async () => {
  await server.close();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('nashra sources import / export (OPML)', () => {
  it('applies the private-address guard to every URL of the file: nothing on this machine is fetched by default', async () => {
    const r = await nashra(['sources', 'import', opml], {});
    expect(r.code).toBe(0);
    const refused = r.stdout.split('\n').filter((l) => l.startsWith('refused\t'));
    expect(refused).toHaveLength(6); // five loopback feeds (one listed twice counts once) and a file: URL
    expect(refused.filter((l) => /private or local network address/.test(l))).toHaveLength(5);
    expect(refused.find((l) => l.includes('file:///etc/passwd'))).toMatch(/only http and https URLs can be sources/);
    expect(r.stdout).toMatch(/^0 added, 0 already followed, 6 refused$/m);
    expect(server.requests).toEqual([]);
  });

  it("imports a reader's export: added with their folder as category, already followed, refused with the reason", async () => {
    expect((await nashra(['sources', 'add', `${server.base}/followed.rss`])).code).toBe(0);
    const r = await nashra(['sources', 'import', opml]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('added\t')).map((l) => l.split('\t')[1])).toEqual([
      `${server.base}/atom.xml`,
      `${server.base}/content.rss`,
      `${server.base}/feed.json`,
    ]);
    expect(lines.find((l) => l.includes('/followed.rss'))).toMatch(/^already followed\t.*\tsource #1 /);
    expect(lines.find((l) => l.includes('/gone.rss'))).toMatch(/^refused\t.*404/);
    expect(lines.find((l) => l.includes('file:///etc/passwd'))).toMatch(/^refused\t/);
    expect(r.stdout).toMatch(/^3 added, 1 already followed, 2 refused$/m);

    // By address: the import adds the feeds as their fetches answer, so their ids follow no fixed order (the one
    // already followed is «source #1» above).
    const sources = (await db.sql('SELECT url, name, category FROM sources ORDER BY url')) as Array<{
      url: string;
      name: string;
      category: string | null;
    }>;
    expect(sources.map((s) => [s.url.replace(server.base, ''), s.name, s.category])).toEqual([
      ['/atom.xml', 'SY24 Atom', 'سوريا'],
      ['/content.rss', 'موقع عربي', 'سوريا'],
      ['/feed.json', 'JSON Feed', 'الجزيرة - الشرق الأوسط'], // the innermost folder
      ['/followed.rss', expect.any(String), null],
    ]);
    // Importing the same file again adds nothing.
    const again = await nashra(['sources', 'import', opml]);
    expect(again.stdout).toMatch(/^0 added, 4 already followed, 2 refused$/m);
  });

  it('exports every source as OPML in folders by category, which imports back as «already followed»', async () => {
    const out = join(dir, 'export.opml');
    const r = await nashra(['sources', 'export', out]);
    expect(r.stdout.trim()).toBe(`4 sources written to ${out}`);
    expect((await nashra(['sources', 'export', out])).stderr).toMatch(/exists; add --force/);
    const doc = parseOpml(readFileSync(out, 'utf8'));
    const folders = doc.body!.outlines!.filter((o) => !o.xmlUrl);
    expect(folders.map((f) => f.text)).toEqual(['سوريا', 'الجزيرة - الشرق الأوسط']);
    expect(folders[0]!.outlines!.map((o) => [o.text, o.xmlUrl])).toEqual([
      ['SY24 Atom', `${server.base}/atom.xml`],
      ['موقع عربي', `${server.base}/content.rss`],
    ]);
    // The site's page, never the feed again (issue 21, item 13): each fixture's own link to its site.
    type Outline = NonNullable<typeof doc.body>['outlines'] extends Array<infer O> | undefined ? O : never;
    const all = (o: Outline): Outline[] => [o, ...(o.outlines ?? []).flatMap(all)];
    const feeds = doc.body!.outlines!.flatMap(all).filter((o) => o.xmlUrl);
    expect(feeds.map((o) => [o.xmlUrl!.replace(server.base, ''), o.htmlUrl !== o.xmlUrl])).toEqual([
      ['/atom.xml', true],
      ['/content.rss', true],
      ['/feed.json', true],
      ['/followed.rss', true],
    ]);
    const stdout = await nashra(['sources', 'export']);
    expect(stdout.stdout).toContain('<opml version="2.0">');
    const back = await nashra(['sources', 'import', out]);
    expect(back.stdout).toMatch(/^0 added, 4 already followed, 0 refused$/m);
  });

  it('refuses a file that is not OPML in one line', async () => {
    const bad = join(dir, 'bad.opml');
    writeFileSync(bad, '<html><body>not a list of feeds</body></html>');
    const r = await nashra(['sources', 'import', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^nashra: not an OPML file/);
  });
});
