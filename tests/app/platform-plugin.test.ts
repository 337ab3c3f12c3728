/**
 * A platform is one descriptor: a third platform that exists only in the test folder (tests/fixtures/plugins/) is
 * registered through NASHRA_PLUGINS, a chat is subscribed to it through the CLI, an article is broadcast, and the
 * delivery arrives through it, while no file under src/ names it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCliAsync, runCliInProcess } from '../helpers/cli.js';
import { freshDatabase, jobsOf, type RawDatabase } from '../helpers/raw-db.js';

const PLUGIN = 'tests/fixtures/plugins/pigeon-platform.mjs';
const SY24 = join(ROOT, 'tests/fixtures/sy24-badia-article.txt');

let loft: Server;
let loftUrl: string;
const landed: Array<{ roost: string; article: number; text: string }> = [];

beforeAll(async () => {
  loft = createServer((req, res) => {
    let body = '';
    req
      .setEncoding('utf8')
      .on('data', (c: string) => {
        body += c;
      })
      .on('end', () => {
        landed.push(JSON.parse(body));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: landed.length }));
      });
  });
  await new Promise<void>((resolve) => loft.listen(0, '127.0.0.1', resolve));
  loftUrl = `http://127.0.0.1:${(loft.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise((resolve) => loft.close(resolve));
});

let db: RawDatabase;
// 60 s each: one `nashra ingest` took 13 s of wall time on this machine under the suite's load (1.6 s of CPU).
const nashra = (...args: string[]) =>
  runCliAsync(args, { ...db.env, NASHRA_PLUGINS: PLUGIN, PIGEON_LOFT_URL: loftUrl }, 60_000);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) =>
    statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)) : [join(dir, n)],
  );
}

describe('NASHRA_PLUGINS refused', () => {
  it("says why in the CLI's language (English by default, Arabic when asked), naming the variable, exit 78", async () => {
    const cases: Array<[string, RegExp, RegExp]> = [
      [
        'tests/fixtures/plugins/no-such-plugin.mjs',
        /^nashra: NASHRA_PLUGINS: cannot load the plug-in tests\/fixtures\/plugins\/no-such-plugin\.mjs: \S/,
        /^nashra: NASHRA_PLUGINS: تعذّر تحميل الإضافة tests\/fixtures\/plugins\/no-such-plugin\.mjs: \S/,
      ],
      [
        'tests/fixtures/plugins/not-a-platform.mjs',
        /^nashra: NASHRA_PLUGINS: tests\/fixtures\/plugins\/not-a-platform\.mjs does not export a platform descriptor as `platform` \(name, markup/,
        /^nashra: NASHRA_PLUGINS: لا يصدّر tests\/fixtures\/plugins\/not-a-platform\.mjs وصف منصة باسم `platform` \(name، markup/,
      ],
      [
        `${PLUGIN},${PLUGIN}`,
        /^nashra: NASHRA_PLUGINS: tests\/fixtures\/plugins\/pigeon-platform\.mjs: a platform named "pigeon" is already registered\n$/,
        /^nashra: NASHRA_PLUGINS: tests\/fixtures\/plugins\/pigeon-platform\.mjs: منصة باسم "pigeon" مسجّلة من قبل\n$/,
      ],
    ];
    for (const [plugins, english, arabic] of cases) {
      for (const [language, said] of [
        [undefined, english],
        ['en', english],
        ['ar', arabic],
      ] as const) {
        const env = { NASHRA_PLUGINS: plugins, ...(language ? { NASHRA_CLI_LANGUAGE: language } : {}) };
        const r = await runCliInProcess(['subs', 'list'], { env });
        expect(r.code, `${plugins} ${language}: ${r.stderr}`).toBe(78);
        expect(r.stderr).toMatch(said);
        expect(r.stdout).toBe('');
      }
    }
  });
});

describe('a platform plug-in', () => {
  it('is subscribed to through the CLI, receives a broadcast through its own transport, and has its own commands', async () => {
    db = await freshDatabase();
    const ingest = await nashra('ingest', SY24);
    expect(ingest.stdout).toMatch(/^1\tnew\t.*queued for 0 subscriptions/m);

    const refused = await nashra('subs', 'add', 'pigeon', 'the-big-tree');
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe('nashra: "the-big-tree" is not a pigeon roost (roost-<number>)');

    const added = await nashra('subs', 'add', 'pigeon', 'roost-7');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/\tpigeon\troost-7\tgroup\t\(all news\)\tsubscribed/);

    const broadcast = await nashra('broadcast', '1', '--yes', '--platform', 'pigeon');
    expect(broadcast.stdout).toMatch(/queued 1 delivery for article 1/);

    const run = await nashra('run', '--once');
    expect(run.code).toBe(0);
    expect(landed).toHaveLength(1);
    expect(landed[0]).toMatchObject({ roost: 'roost-7', article: 1 });
    expect(landed[0]!.text).toMatch(/^\*\*تحركات علنية/);
    expect((await jobsOf(db, 1)).map((d) => [d.platform, d.state, d.messageId])).toEqual([
      ['pigeon', 'sent', 'pigeon-1'],
    ]);

    expect((await nashra('pigeon', 'coo', '--loud')).stdout.trim()).toBe('COO');
    expect((await nashra('--help')).stdout).toMatch(/^ {2}pigeon\b/m);
  }, 240_000); // seven `nashra` child processes, about 1 s of CPU each: 5 s on a quiet machine, over 30 s at load 13

  it('is named by no file under src/', () => {
    const named = filesUnder(join(ROOT, 'src')).filter((f) => /pigeon/i.test(readFileSync(f, 'utf8')));
    expect(named).toEqual([]);
  });
});
