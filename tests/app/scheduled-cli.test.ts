/**
 * Scheduled sends from the CLI (issue 25 §4): `nashra broadcast … --at`, `nashra urgent … --at`, `nashra scheduled
 * [list|move|cancel]`, against the built CLI, with what an operator may mistype or mistake: garbage times, the past,
 * too far ahead, ids of other things, a second cancel. The rows read back from the database (either adapter) say what was written.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDateTime } from '../../src/text/schedule.js';
import { ROOT, runCliInProcess } from '../helpers/cli.js';
import { expectUserError } from '../helpers/user-error.js';
import { createDatabase, type OwnedDatabase } from '../helpers/raw-db.js';

const ZONE = 'Asia/Damascus';
let db: OwnedDatabase;
const cli = (...args: string[]) => runCliInProcess(args, { env: { ...db.env, NASHRA_TIME_ZONE: ZONE } });

beforeAll(async () => {
  db = await createDatabase();
});
afterAll(() => db.close());

/** Jobs and broadcasts as the database holds them. */
async function rows() {
  return {
    jobs: (await db.sql('SELECT broadcast_id, state, not_before FROM jobs ORDER BY id')) as Array<{
      broadcast_id: number | null;
      state: string;
      not_before: number;
    }>,
    broadcasts: (await db.sql('SELECT id, state, send_at FROM broadcasts ORDER BY id')) as Array<{
      id: number;
      state: string;
      send_at: number | null;
    }>,
  };
}

describe('nashra broadcast --at, nashra scheduled', () => {
  it('schedules, lists, moves and cancels; refuses garbage, the past, too far ahead and ids of other things in one line', async () => {
    expect((await cli('subs', 'add', 'console', 'one')).code).toBe(0);
    expect((await cli('subs', 'add', 'console', 'two')).code).toBe(0);
    expect((await cli('ingest', join(ROOT, 'samples/easc-topic3.txt'))).code).toBe(0); // article 1, queued at once for both
    expect((await cli('scheduled')).stdout).toMatch(/nothing is scheduled/);
    const before = await rows();

    // Words that are not a time, a time in the past, one beyond 30 days: refused before anything is previewed.
    const now = Date.now();
    for (const [at, why] of [
      ['25:00', /"25:00" is not a time: give HH:MM \(the next such time in Asia\/Damascus\) or YYYY-MM-DD HH:MM/],
      ['غدا', /"غدا" is not a time/],
      ['18:00; DROP TABLE jobs', /is not a time/],
      ['2026-02-30 10:00', /"2026-02-30 10:00" is not a time/],
      ['x'.repeat(5000), /is not a time/],
      [localDateTime(now - 3600_000, ZONE), /is in the past \(it is .* in Asia\/Damascus\): give a later time/],
      [localDateTime(now + 31 * 86_400_000, ZONE), /is more than 30 days ahead \(latest: .*\): give an earlier time/],
    ] as const) {
      expectUserError(await cli('broadcast', '1', '--all', '--yes', '--at', at), why);
    }
    expectUserError(await cli('urgent', 'انقطاع', '--yes', '--at', '7 مساء'), /"7 مساء" is not a time/);
    expect(await rows()).toEqual(before);

    // Arabic-Indic digits are a time like any other; a full date too.
    const first = localDateTime(now + 2 * 86_400_000, ZONE);
    // Both chats already have article 1 (queued at ingest): taken as a time, the broadcast then reaches nobody new.
    expectUserError(
      await cli(
        'broadcast',
        '1',
        '--all',
        '--yes',
        '--at',
        first.replace(/\d/g, (d) => String.fromCharCode(0x660 + Number(d))),
      ),
      /would reach nobody/,
    );
  }, 120_000);

  it('an urgent alert and a broadcast scheduled, moved, cancelled, and refused once cancelled', async () => {
    expect((await cli('ingest', join(ROOT, 'samples/easc-topic9.txt'))).code).toBe(0);
    const stored = await rows();
    const articleJobs = stored.jobs.length;
    // A second chat after the ingest, so a broadcast of the newest article reaches one chat.
    expect((await cli('subs', 'add', 'console', 'three')).code).toBe(0);
    const r = await cli('broadcast', '2', '--all', '--yes', '--at', '18:00');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /scheduled broadcast b(\d+): 1 delivery of article 2 at \d{4}-\d\d-\d\d 18:00 \(Asia\/Damascus\); 2 already have it/,
    );
    const b = Number(/scheduled broadcast b(\d+)/.exec(r.stdout)![1]);
    const u = await cli('urgent', 'انقطاع', 'الكهرباء', 'في', 'دمشق', '--yes', '--at', '07:30');
    expect(u.code, u.stderr).toBe(0);
    expect(u.stdout).toMatch(/scheduled broadcast b\d+: 3 deliveries of article \d+ at \d{4}-\d\d-\d\d 07:30/);
    const ub = Number(/scheduled broadcast b(\d+)/.exec(u.stdout)![1]);

    // Listed soonest first (07:30 comes before 18:00 unless it is between the two now).
    const list = (await cli('scheduled', 'list')).stdout;
    expect(list).toMatch(new RegExp(`b${b}\\t\\S+ 18:00\\tbroadcast\\t1\\t2\\t`));
    expect(list).toMatch(new RegExp(`b${ub}\\t\\S+ 07:30\\turgent\\t3\\t\\d+\\tانقطاع الكهرباء في دمشق`));
    const sendAt = (await rows()).broadcasts.find((x) => x.id === b)!.send_at!;
    expect((await rows()).jobs.filter((j) => j.broadcast_id === b).map((j) => [j.state, j.not_before])).toEqual([
      ['queued', sendAt],
    ]);
    expect((await rows()).jobs.slice(0, articleJobs)).toEqual(stored.jobs); // the ingest's own posts untouched

    // Moved: the broadcast and its post take the new time.
    const moved = await cli('scheduled', 'move', `b${b}`, localDateTime(Date.now() + 3 * 86_400_000, ZONE));
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout).toMatch(
      new RegExp(`b${b} moved from \\S+ 18:00 to \\S+ \\d\\d:\\d\\d \\(Asia/Damascus\\), 1 delivery`),
    );
    const after = await rows();
    const newAt = after.broadcasts.find((x) => x.id === b)!.send_at!;
    expect(newAt).toBeGreaterThan(sendAt);
    expect(after.jobs.filter((j) => j.broadcast_id === b).map((j) => j.not_before)).toEqual([newAt]);

    // Hostile or mistaken ids: another kind of thing's id (article 1, a subscription), garbage, a huge number.
    expectUserError(await cli('scheduled', 'cancel', '1'), /no scheduled broadcast 1: nashra scheduled lists them/);
    expectUserError(await cli('scheduled', 'cancel', '99999999'), /no scheduled broadcast 99999999/);
    expectUserError(await cli('scheduled', 'cancel', 'b1; rm -rf /'), /is not a scheduled broadcast's id/);
    expectUserError(await cli('scheduled', 'move', `b${b}`, 'غدا'), /"غدا" is not a time/);
    expectUserError(await cli('scheduled', 'move', `b${b}`, '2020-01-01', '10:00'), /is in the past/);
    expectUserError(await cli('scheduled', 'frobnicate'), /too many arguments for 'list'/);
    expect(await rows()).toEqual(after);

    // Cancelled: its posts are skipped; a second cancel and a move are refused, saying why.
    const cancelled = await cli('scheduled', 'cancel', `#${ub}`);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toMatch(new RegExp(`b${ub} cancelled: 3 deliveries will not go`));
    expect((await rows()).jobs.filter((j) => j.broadcast_id === ub).map((j) => j.state)).toEqual([
      'skipped',
      'skipped',
      'skipped',
    ]);
    expectUserError(
      await cli('scheduled', 'cancel', `b${ub}`),
      new RegExp(`broadcast b${ub} was cancelled \\(or its article retracted\\)`),
    );
    expectUserError(await cli('scheduled', 'move', `b${ub}`, '18:00'), /was cancelled/);
    expect((await cli('scheduled')).stdout).not.toMatch(new RegExp(`b${ub}\\t`));

    // A retraction of its article cancels the other.
    expect((await cli('retract', '2', '--yes')).code).toBe(0);
    expect((await cli('scheduled')).stdout).toMatch(/nothing is scheduled/);
    expect((await rows()).broadcasts.find((x) => x.id === b)!.state).toBe('cancelled');
    expect((await rows()).jobs.filter((j) => j.broadcast_id === b).map((j) => j.state)).toEqual(['skipped']);

    // Something scheduled for tomorrow: `run --once` sends what is due and leaves it queued, without waiting a minute
    // (the idle give-up) for a time that is a day away.
    const later = await cli('broadcast', '1', '--all', '--yes', '--at', localDateTime(Date.now() + 86_400_000, ZONE));
    expect(later.stdout).toMatch(/scheduled broadcast b\d+: 1 delivery of article 1/);
    const started = Date.now();
    const run = await runCliInProcess(['run', '--once'], {
      env: { ...db.env, NASHRA_TIME_ZONE: ZONE, LOG_LEVEL: 'info' },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
    // Not stuck, scheduled: said so, not "being sent at the platform's pace".
    expect(run.stderr).toMatch(/queue drained .*scheduled\.console="1 \(the first at /);
    expect((await cli('stats')).stdout).toMatch(/console: 1 scheduled \(nashra scheduled\); the first goes at /);
    const lb = Number(/scheduled broadcast b(\d+)/.exec(later.stdout)![1]);
    expect((await rows()).jobs.filter((j) => j.broadcast_id === lb).map((j) => j.state)).toEqual(['queued']);
  }, 120_000);
});
