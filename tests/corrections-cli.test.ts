/**
 * `nashra correct`, `nashra retract` and `nashra corrections` as a user runs them (the built CLI, a child process),
 * with `nashra run --once` sending, editing and deleting through the fake Bot API; rows read back from the file.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CORRECTIONS } from '../src/model/delivery.js';
import { openStore } from '../src/store/index.js';
import { FakeTelegram } from './fake-telegram/server.js';
import { runCliInProcess } from './helpers/cli.js';
import { CHILD_TOKEN, childEnv, prepareBroadcast } from './helpers/child-run.js';
import { tempDir } from './helpers/tmp.js';

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => { for (const c of cleanups.reverse()) await c(); cleanups = []; });

describe('nashra correct / retract / corrections', () => {
  it('a correction edits every sent post once; a retraction deletes them; the report names what happened', async () => {
    const { dir, cleanup } = tempDir('nashra-corr-cli-');
    cleanups.push(cleanup);
    const fake = new FakeTelegram(CHILD_TOKEN, { globalPerSecond: 1000, perChatPerSecond: 50, perGroupPerMinute: 1000 });
    const apiRoot = await fake.start();
    cleanups.push(() => fake.stop());
    const db = join(dir, 'n.db');
    await prepareBroadcast(db, 5, 2);
    const env = childEnv(apiRoot, db);
    const cli = (...args: string[]) => runCliInProcess(args, { env });

    expect((await cli('run', '--once')).code).toBe(0);
    expect(fake.sent('sendMessage')).toHaveLength(10);

    const summary = join(dir, 'summary.txt');
    writeFileSync(summary, 'افتتحت البلدية السوق الشعبية الجديدة اليوم بعد تأجيل دام أسبوعاً.\nوقال رئيس البلدية إن السوق توفر مئة فرصة عمل.\n');
    const corrected = await cli('correct', '1', '--title', 'تصحيح: افتتاح السوق الجديدة بعد تأجيل', '--summary-file', summary, '--yes');
    expect(corrected.code, corrected.stderr).toBe(0);
    expect(corrected.stdout).toContain('تصحيح: افتتاح السوق الجديدة بعد تأجيل');
    expect(corrected.stdout).toContain('the posts sent will be edited: 5 on telegram');
    expect(corrected.stdout).toMatch(/article 1 is now revision 2; 5 posts queued for editing/);
    // Without --yes and without a terminal, nothing changes.
    const refused = await cli('retract', '2');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('add --yes');

    const retracted = await cli('retract', '2', '--yes');
    expect(retracted.code, retracted.stderr).toBe(0);
    expect(retracted.stdout).toContain('the posts sent will be deleted: 5 on telegram');
    expect(retracted.stdout).toMatch(/article 2 retracted: 0 queued deliveries cancelled, 5 posts queued for deletion/);

    expect((await cli('run', '--once')).code).toBe(0);
    expect(fake.sent('editMessageText')).toHaveLength(5);
    expect(fake.sent('deleteMessage')).toHaveLength(5);
    const report = await cli('corrections', '1');
    expect(report.stdout.trim()).toBe('telegram correction: 5 edited');
    expect((await cli('corrections', '2')).stdout.trim()).toBe('telegram retraction: 5 deleted');
    expect((await cli('latest', '5')).stdout).not.toContain('رقم 1 ');
    expect((await cli('stats')).stdout).toContain('corrections (edits and deletions of sent posts): sent 10');

    const store = openStore(db);
    try {
      expect(store.jobs.totalsByState()).toEqual({ sent: 10 });
      expect(store.articles.get(2)!.retracted).toMatchObject({ by: 'cli:cli' });
      for (const d of store.jobs.listForArticle(1)) {
        const chat = store.subscriptions.get(d.subscriptionId)!.chatId;
        expect(fake.message(chat, d.messageId!)).toMatchObject({ edits: 1 });
        expect(fake.message(chat, d.messageId!)!.text).toContain('تصحيح: افتتاح السوق الجديدة بعد تأجيل');
      }
    } finally {
      store.close();
    }
  }, 180_000);

  it('a correction a crash left in doubt is listed as c<N>; mark-sent closes it, send-again edits that post once more', async () => {
    const { dir, cleanup } = tempDir('nashra-corr-doubt-');
    cleanups.push(cleanup);
    const fake = new FakeTelegram(CHILD_TOKEN, { globalPerSecond: 1000, perChatPerSecond: 50, perGroupPerMinute: 1000 });
    const apiRoot = await fake.start();
    cleanups.push(() => fake.stop());
    const db = join(dir, 'n.db');
    await prepareBroadcast(db, 3, 1);
    const cli = (...args: string[]) => runCliInProcess(args, { env: childEnv(apiRoot, db) });
    expect((await cli('run', '--once')).code).toBe(0);
    expect((await cli('correct', '1', '--title', 'تصحيح: عنوان جديد للخبر الأول', '--yes')).code).toBe(0);

    // A crash while two edits were on the wire: the next start holds them in doubt (the default policy).
    const store = openStore(db);
    const [first, second] = store.jobs.listForArticle(1, CORRECTIONS);
    expect(store.jobs.markSending(first!.id)).toBe(true);
    expect(store.jobs.markSending(second!.id)).toBe(true);
    expect(store.jobs.recoverInterrupted('hold')).toBe(2);
    store.close();

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
    const after = openStore(db);
    try {
      expect(after.jobs.get(first!.id)).toMatchObject({ state: 'sent', outcome: 'edited', lastError: 'marked as sent by cli:cli' });
      expect(after.jobs.get(second!.id)).toMatchObject({ state: 'sent', outcome: 'edited' });
      expect(after.audit.recent(10).map((e) => e.action)).toEqual(expect.arrayContaining(['correction.mark_sent', 'correction.send_again']));
    } finally {
      after.close();
    }
  }, 180_000);
});
