/**
 * The editor list through the ports, asked by a front door at every message: the configured editors and those kept
 * in the database are editors, anyone else is refused with the refusal audited, and an editor removed from the
 * database is refused at the next message. The checks are asynchronous now (a promise is always truthy, so a
 * check not awaited would let everyone in): these are the cases that would show it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { messages } from '../../bots/telegram/i18n.js';
import {
  EDITOR,
  message,
  privateChat,
  repliesTo,
  startHarness,
  waitFor,
  type Harness,
} from '../fake-telegram/harness.js';
import { auditLog } from '../helpers/raw-db.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The bot's answer to one message of `from` in its private chat. */
async function ask(h: Harness, from: number, text: string): Promise<string> {
  const before = repliesTo(h, from).length;
  h.fake.pushUpdate(message(privateChat(from), from, text));
  await waitFor(() => repliesTo(h, from).length > before, 8000, `the answer to ${text}`);
  return String(repliesTo(h, from)[before]!.params.text);
}

describe('editors on Telegram, asked through the ports', () => {
  it('the configured editor and one kept in the database are editors; a stranger and a removed editor are refused and audited', async () => {
    h = await startHarness();
    const ar = messages('ar');
    const STORED = 7301;
    const STRANGER = 7302;
    expect(await ask(h, EDITOR, '/help')).toContain(ar.editorHelp.trim());
    expect(await ask(h, STRANGER, '/help')).not.toContain(ar.editorHelp.trim());
    expect(await ask(h, STRANGER, '/sources')).toBe(ar.notEditor);
    expect((await auditLog(h.db)).filter((e) => e.action === 'refused' && e.actor === String(STRANGER))).toEqual([
      expect.objectContaining({ platform: 'telegram', detail: { action: 'sources' } }),
    ]);

    await h.db.insert('editors', {
      platform: 'telegram',
      user_id: String(STORED),
      name: 'stored',
      added_by: String(EDITOR),
      created_at: Date.now(),
    });
    expect(await ask(h, STORED, '/help')).toContain(ar.editorHelp.trim());
    expect(await ask(h, STORED, '/sources')).not.toBe(ar.notEditor);
    await h.db.sql('DELETE FROM editors WHERE platform = ? AND user_id = ?', 'telegram', String(STORED));
    expect(await ask(h, STORED, '/help')).not.toContain(ar.editorHelp.trim());
    expect(await ask(h, STORED, '/sources')).toBe(ar.notEditor);
    expect((await auditLog(h.db)).filter((e) => e.action === 'refused' && e.actor === String(STORED))).toHaveLength(1);
  });
});
