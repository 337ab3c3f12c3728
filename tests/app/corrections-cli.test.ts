/**
 * `nashra correct`, `nashra retract` and `nashra corrections` as a user runs them (the built CLI, a child process),
 * with `nashra run --once` sending, editing and deleting through the fake Bot API; rows read back from the database
 * (this pass's adapter: tests/helpers/raw-db.ts).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeTelegram } from '../fake-telegram/server.js';
import { runCliInProcess } from '../helpers/cli.js';
import { CHILD_TOKEN, childEnv, prepareBroadcast } from '../helpers/child-run.js';
import { freshDatabase, type RawDatabase } from '../helpers/raw-db.js';
import { storeNumberedArticle } from '../helpers/articles.js';
import { tempDir } from '../helpers/tmp.js';

let cleanups: Array<() => Promise<void> | void> = [];
/** An article's jobs of these kinds, oldest first, as the outbox reads them. */
const jobsOf = async (db: RawDatabase, articleId: number, kinds: string[]) =>
  Promise.all(
    (
      await db.sql(
        `SELECT id FROM jobs WHERE article_id = ? AND kind IN (${kinds.map(() => '?').join(', ')}) ORDER BY id`,
        articleId,
        ...kinds,
      )
    ).map(async (r) => (await db.ports.repos.outbox.job(r.id as number))!),
  );
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

describe('nashra correct / retract / corrections', () => {
  it('a correction edits every sent post once; a retraction deletes them; the report names what happened', async () => {
    const { dir, cleanup } = tempDir('nashra-corr-cli-');
    cleanups.push(cleanup);
    const fake = new FakeTelegram(CHILD_TOKEN, {
      globalPerSecond: 1000,
      perChatPerSecond: 50,
      perGroupPerMinute: 1000,
    });
    const apiRoot = await fake.start();
    cleanups.push(() => fake.stop());
    const db = await freshDatabase();
    await prepareBroadcast(db.ports, 5, 2);
    const env = childEnv(apiRoot, db);
    const cli = (...args: string[]) => runCliInProcess(args, { env });

    expect((await cli('run', '--once')).code).toBe(0);
    expect(fake.sent('sendMessage')).toHaveLength(10);

    const summary = join(dir, 'summary.txt');
    writeFileSync(
      summary,
      'افتتحت البلدية السوق الشعبية الجديدة اليوم بعد تأجيل دام أسبوعاً.\nوقال رئيس البلدية إن السوق توفر مئة فرصة عمل.\n',
    );
    const corrected = await cli(
      'correct',
      '1',
      '--title',
      'تصحيح: افتتاح السوق الجديدة بعد تأجيل',
      '--summary-file',
      summary,
      '--yes',
    );
    expect(corrected.code, corrected.stderr).toBe(0);
    expect(corrected.stdout).toContain('تصحيح: افتتاح السوق الجديدة بعد تأجيل');
    expect(corrected.stdout).toContain('the posts sent will be edited: 5 on Telegram');
    expect(corrected.stdout).toMatch(/article 1 is now revision 2; 5 posts queued for editing/);
    // Without --yes and without a terminal, nothing changes.
    const refused = await cli('retract', '2');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('add --yes');

    const retracted = await cli('retract', '2', '--yes');
    expect(retracted.code, retracted.stderr).toBe(0);
    expect(retracted.stdout).toContain('the posts sent will be deleted: 5 on Telegram');
    expect(retracted.stdout).toMatch(/article 2 retracted: 0 queued deliveries cancelled, 5 posts queued for deletion/);

    expect((await cli('run', '--once')).code).toBe(0);
    expect(fake.sent('editMessageText')).toHaveLength(5);
    expect(fake.sent('deleteMessage')).toHaveLength(5);
    const report = await cli('corrections', '1');
    expect(report.stdout.trim()).toBe('Telegram (correction): 5 edited');
    expect((await cli('corrections', '2')).stdout.trim()).toBe('Telegram (retraction): 5 deleted');
    // The same report in Arabic is the one WhatsApp's /corrections gives: the catalogue's words, the platform's label.
    const arabic = await runCliInProcess(['corrections', '2'], { env: { ...env, NASHRA_CLI_LANGUAGE: 'ar' } });
    expect(arabic.stdout.trim()).toBe('تيليغرام (سحب): حُذف: 5 منشورات');
    expect((await cli('latest', '5')).stdout).not.toContain('رقم 1 ');
    expect((await cli('stats')).stdout).toContain('corrections (edits and deletions of sent posts): sent 10');

    expect(
      await db.sql(`SELECT state, COUNT(*) AS n FROM jobs WHERE kind IN ('edit', 'delete') GROUP BY state`),
    ).toEqual([{ state: 'sent', n: 10 }]);
    expect((await db.ports.repos.articles.get(2))!.retracted).toMatchObject({ by: 'cli:cli' });
    for (const d of await jobsOf(db, 1, ['post'])) {
      const chat = (await db.ports.repos.subscriptions.get(d.subscriptionId))!.chatId;
      expect(fake.message(chat, d.messageId!)).toMatchObject({ edits: 1 });
      expect(fake.message(chat, d.messageId!)!.text).toContain('تصحيح: افتتاح السوق الجديدة بعد تأجيل');
    }
  }, 180_000);

  it('a correction a crash left in doubt is listed as c<N>; mark-sent closes it, send-again edits that post once more', async () => {
    const fake = new FakeTelegram(CHILD_TOKEN, {
      globalPerSecond: 1000,
      perChatPerSecond: 50,
      perGroupPerMinute: 1000,
    });
    const apiRoot = await fake.start();
    cleanups.push(() => fake.stop());
    const db = await freshDatabase();
    await prepareBroadcast(db.ports, 3, 1);
    const cli = (...args: string[]) => runCliInProcess(args, { env: childEnv(apiRoot, db) });
    expect((await cli('run', '--once')).code).toBe(0);
    expect((await cli('correct', '1', '--title', 'تصحيح: عنوان جديد للخبر الأول', '--yes')).code).toBe(0);

    // A crash while two edits were on the wire: the next start holds them in doubt (the default policy).
    const { jobs } = db.ports.repos;
    const [first, second] = await jobsOf(db, 1, ['edit', 'delete']);
    expect(await jobs.markSending(first!.id, Date.now())).toBe(true);
    expect(await jobs.markSending(second!.id, Date.now())).toBe(true);
    expect(await jobs.recoverInterrupted('hold', Date.now())).toBe(2);

    const listed = await cli('in-doubt', 'list');
    expect(listed.stdout).toContain(`${first!.id}\tedit\ttelegram\t1\t${first!.subscriptionId}\t${first!.waitsFor}\t`);
    expect(listed.stdout).toContain(`${second!.id}\tedit\ttelegram\t1\t`);
    expect((await cli('in-doubt', 'mark-sent', `${first!.id}`)).stdout).toContain(`edit ${first!.id} marked as sent`);
    expect((await cli('in-doubt', 'send-again', `${second!.id}`)).stdout).toContain(`edit ${second!.id} queued again`);
    const again = await cli('in-doubt', 'mark-sent', `${first!.id}`);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`edit ${first!.id} is sent, not in doubt`);
    expect((await cli('in-doubt', 'mark-sent', 'x1')).stderr).toContain('must be a job id (12)');

    expect((await cli('run', '--once')).code).toBe(0);
    // The third post and the one sent again are edited; the one marked done is not touched again.
    expect(fake.sent('editMessageText')).toHaveLength(2);
    expect(await db.ports.repos.outbox.job(first!.id)).toMatchObject({
      state: 'sent',
      outcome: 'edited',
      lastError: 'marked as sent by cli:cli',
    });
    expect(await db.ports.repos.outbox.job(second!.id)).toMatchObject({ state: 'sent', outcome: 'edited' });
    expect((await db.sql('SELECT action FROM audit_log')).map((e) => e.action)).toEqual(
      expect.arrayContaining(['correction.mark_sent', 'correction.send_again']),
    );
  }, 180_000);
});

describe('ids that are no row', () => {
  it('each command given a fraction, a word, an exponent, 20 digits, a negative, hex or Arabic-Indic digits refuses it as an id with no row (PostgreSQL too)', async () => {
    const db = await freshDatabase();
    const cli = (...args: string[]) => runCliInProcess(args, { env: db.env });
    const article = await storeNumberedArticle(db.ports, 1);
    // `sameAsMissing`: the words for an article that does not exist; a scheduled broadcast's id is refused by its
    // shape before any lookup (its own words, naming the id given).
    const commands = [
      { args: (id: string) => ['broadcast', id, '--yes'], sameAsMissing: true },
      { args: (id: string) => ['correct', id, '--title', 'عنوان جديد', '--yes'], sameAsMissing: true },
      { args: (id: string) => ['retract', id, '--yes'], sameAsMissing: true },
      { args: (id: string) => ['scheduled', 'cancel', id], sameAsMissing: false },
    ];
    for (const { args, sameAsMissing } of commands) {
      const missing = await cli(...args('424242'));
      expect(missing.code, args('424242').join(' ')).toBe(1);
      for (const id of ['1.5', 'abc', '1e3', '99999999999999999999', '-1', '0x10', '١']) {
        const r = await cli(...args(id));
        expect(r.code, args(id).join(' ')).toBe(1);
        expect(r.stderr, args(id).join(' ')).toContain(id);
        if (sameAsMissing) expect(r.stderr.replaceAll(id, '<id>')).toBe(missing.stderr.replaceAll('424242', '<id>'));
      }
    }
    // The article that exists was not reached by any of them.
    expect((await db.sql('SELECT retracted_at FROM articles WHERE id = ?', article.id))[0]!.retracted_at).toBeNull();
    expect(await db.sql('SELECT id FROM broadcasts')).toEqual([]);
  }, 60_000);
});
