/** An editor sends the bot an OPML file: getFile, the download from the Bot API's file endpoint, the import's report. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EDITOR, repliesTo, startHarness, TOKEN, user, waitFor, type Harness } from '../../fake-telegram/harness.js';
import { auditLog } from '../../helpers/raw-db.js';
import { FIXTURES, startFeedServer, type FeedServer } from '../../helpers/feed-server.js';

let h: Harness | undefined;
let server: FeedServer | undefined;
afterEach(async () => {
  await h?.close();
  await server?.close();
  h = undefined;
  server = undefined;
});

let n = 0;
function documentMessage(h: Harness, from: number, body: string, fileName: string) {
  const file = h.fake.addFile(`opml-${++n}`, body, fileName);
  return {
    message: {
      message_id: 9000 + n,
      date: Math.floor(Date.now() / 1000),
      chat: { id: from, type: 'private', first_name: 'x' },
      from: user(from),
      document: { ...file, file_name: fileName, mime_type: 'text/x-opml' },
    },
  };
}

describe('telegram: an OPML file sent to the bot', () => {
  it('is imported for an editor, with the report in words; anyone else gets a refusal and nothing is downloaded', async () => {
    server = await startFeedServer({
      '/atom.xml': { file: 'feeds/atom.xml' },
      '/feed.json': { file: 'feeds/feed.json' },
    });
    h = await startHarness({ env: { NASHRA_ALLOW_PRIVATE_FETCH: '1', NASHRA_FETCH_TIMEOUT_MS: '10000' } });
    const opml = readFileSync(join(FIXTURES, 'opml/inoreader-export.opml'), 'utf8').replaceAll('{{BASE}}', server.base);

    h.fake.pushUpdate(documentMessage(h, 4242, opml, 'feeds.opml'));
    await waitFor(() => repliesTo(h!, 4242).length === 1, 5000, 'refusal');
    expect(repliesTo(h, 4242)[0]!.params.text).toBe('استيراد المصادر للمحرّرين فقط.');
    expect(h.fake.downloads).toEqual([]);

    h.fake.pushUpdate(documentMessage(h, EDITOR, opml, 'Inoreader Subscriptions.opml'));
    await waitFor(() => repliesTo(h!, EDITOR).length === 2, 30_000, 'report');
    expect(h.fake.downloads).toHaveLength(1);
    const report = repliesTo(h, EDITOR)[1]!.params.text as string;
    expect(report.split('\n')[0]).toBe('انتهى الاستيراد: أُضيف 2، متابَع من قبل 0، رُفض 4.');
    expect(report).toContain('✅ أُضيف: #1 SY24 Atom');
    // Each refusal in the editor's language, as the newsroom named it.
    expect(report).toContain('❌ رُفض: file:///etc/passwd — لا يكون المصدر إلا عنوان http أو https');
    expect(report).not.toContain('only http and https URLs can be sources');
    expect((await h.data.repos.sources.list()).map((s) => [s.name, s.category])).toEqual([
      ['SY24 Atom', 'سوريا'],
      ['JSON Feed', 'الجزيرة - الشرق الأوسط'],
    ]);
    expect((await auditLog(h.db)).find((e) => e.action === 'source.import')).toMatchObject({
      platform: 'telegram',
      actor: String(EDITOR),
      detail: { added: 2, refused: 4 },
    });
    for (const line of h.lines) expect(line).not.toContain(TOKEN.split(':')[1]);
  });
});
