/** `nashra subs set <id>` as a child process, the rows read back (issue 12, sections 1 and 4). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/cli.js';
import { createDatabase, type OwnedDatabase } from '../helpers/raw-db.js';

describe('nashra subs set', () => {
  // One database for the file: the second test refuses changes to the first one's subscription.
  let db: OwnedDatabase;
  beforeAll(async () => {
    db = await createDatabase();
  });
  afterAll(() => db.close());
  const at = (...args: string[]) => runCliInProcess(args, { env: db.env });
  const rows = async <T>(sql: string): Promise<T[]> => (await db.sql(sql)) as T[];

  it("changes the filter, a source's filter and the template of an existing subscription, each kept until changed", async () => {
    expect((await at('subs', 'add', 'telegram', '-1007', '--topics', 'الرقة,دير الزور')).code).toBe(0);
    // A source to filter on, as `sources add` would have stored it.
    const source = await db.ports.repos.sources.add(
      { url: 'https://general.example/feed', kind: 'rss', name: 'موقع عام' },
      Date.now(),
    );

    const r = await at(
      'subs',
      'set',
      '1',
      '--exclude',
      'رياضة',
      '--no-hashtags',
      '--header',
      '🔴 الرقة',
      '--link-preview',
      'large',
      '--no-photo',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^subscription 1 \(telegram -1007\): updated \(changed: topics, headerMark, showHashtags, leadPhoto, linkPreview\)$/m,
    );
    expect(r.stdout).toMatch(/^filter: الرقة, دير الزور; except: رياضة$/m);
    expect(r.stdout).toMatch(/^hashtag line: off$/m);
    expect(r.stdout).toMatch(/^source line: on \(default\)$/m);
    expect(await rows('SELECT topics FROM subscriptions')).toEqual([
      { topics: JSON.stringify(['الرقة', 'دير الزور', '-رياضة']) },
    ]);
    expect(
      await rows(
        'SELECT header_mark, footer, show_hashtags, show_source, show_date, lead_photo, link_preview FROM subscription_templates',
      ),
    ).toEqual([
      {
        header_mark: '🔴 الرقة',
        footer: null,
        show_hashtags: 0,
        show_source: null,
        show_date: null,
        lead_photo: 0,
        link_preview: 'large',
      },
    ]);

    const s = await at(
      'subs',
      'set',
      '1',
      '--source',
      String(source.id),
      '--topics',
      'سوريا',
      '--exclude',
      'كرة القدم',
      '--no-footer',
      '--no-date',
    );
    expect(s.stdout).toMatch(
      new RegExp(`^from source #${source.id} \\(موقع عام\\) only: سوريا; except: كرة القدم$`, 'm'),
    );
    expect(await rows('SELECT source_id, topics FROM subscription_source_filters')).toEqual([
      { source_id: source.id, topics: JSON.stringify(['سوريا', '-كرة القدم']) },
    ]);
    expect(await rows('SELECT topics FROM subscriptions')).toEqual([
      { topics: JSON.stringify(['الرقة', 'دير الزور', '-رياضة']) },
    ]); // untouched
    expect(
      (await rows<{ footer: string; show_date: number }>('SELECT footer, show_date FROM subscription_templates'))[0],
    ).toEqual({ footer: '', show_date: 0 });

    expect((await at('subs', 'set', '1', '--source', String(source.id), '--topics', '', '--exclude', '')).code).toBe(0);
    expect(await rows('SELECT * FROM subscription_source_filters')).toEqual([]);
    expect((await at('subs', 'set', '1', '--default', 'all')).stdout).toMatch(/^header mark: none \(default\)$/m);
    expect(await rows('SELECT * FROM subscription_templates')).toEqual([]);
    expect((await at('subs', 'set', '1')).stdout).toMatch(/nothing changed/);

    const audit = await rows<{ platform: string; action: string }>(
      `SELECT platform, action FROM audit_log WHERE action = 'subscription.update'`,
    );
    expect(audit.length).toBe(4);
    expect(audit.every((e) => e.platform === 'cli')).toBe(true);
  });

  it('refuses what it cannot do in one line, changing nothing', async () => {
    const no = await at('subs', 'set', '99', '--no-hashtags');
    expect([no.code, no.stderr.trim()]).toEqual([1, 'nashra: no subscription with id 99 (see nashra subs list)']);
    expect((await at('subs', 'set', '1', '--link-preview', 'huge')).stderr).toMatch(
      /Allowed choices are none, small, large/,
    );
    expect((await at('subs', 'set', '1', '--source', '42', '--topics', 'سوريا')).stderr.trim()).toBe(
      'nashra: no source #42 (see nashra sources list)',
    );
    expect((await at('subs', 'set', '1', '--header', 'x'.repeat(200))).stderr).toMatch(
      /header mark is one line of at most 120 characters/,
    );
    expect((await at('subs', 'set', '1', '--default', 'colour')).stderr).toMatch(
      /--default colour: not a template field/,
    );
    expect(await rows('SELECT * FROM subscription_templates')).toEqual([]);
  });
});
