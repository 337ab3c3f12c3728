import { afterEach, describe, expect, it } from 'vitest';
import { startFeedServer, type FeedServer } from '../../helpers/feed-server.js';
import { EDITOR, message, privateChat, startHarness, waitFor, type Harness } from '../../fake-telegram/harness.js';
import { auditLog, jobsOf } from '../../helpers/raw-db.js';

let h: Harness | undefined;
let feeds: FeedServer | undefined;
afterEach(async () => {
  await h?.close();
  await feeds?.close();
  h = undefined;
  feeds = undefined;
});

const lastText = (h: Harness, chat: number) => String(h.fake.sentTo(chat).at(-1)?.params.text ?? '');

describe('telegram /sources', () => {
  it('lets an editor add and remove a source from the chat, with the same rules as the CLI, and audits it', async () => {
    feeds = await startFeedServer({ '/atom.xml': { file: 'feeds/atom.xml' } });
    h = await startHarness({ env: { NASHRA_ALLOW_PRIVATE_FETCH: '1' } });
    const editorChat = privateChat(EDITOR);

    h.fake.pushUpdate(message(editorChat, EDITOR, `/sources add ${feeds.base}/atom.xml 15m`));
    await waitFor(() => /#1/.test(lastText(h!, EDITOR)), 8000, 'the add reply');
    const [source] = await h.data.repos.sources.list();
    expect(source?.feedUrl).toBe(`${feeds.base}/atom.xml`);
    expect(source?.intervalSeconds).toBe(900);
    expect(await h.data.repos.status.articleCount()).toBeGreaterThan(0);
    // The feed's backlog is marked seen, not sent to anyone (it is listed for readers all the same).
    const latest = await h.data.repos.reads.latest(50, Date.now());
    expect(latest.length).toBeGreaterThan(0);
    expect(latest.every((a) => a.seenOnly)).toBe(true);
    expect((await Promise.all(latest.map((a) => jobsOf(h!.db, a.id)))).flat()).toEqual([]);

    h.fake.pushUpdate(message(editorChat, EDITOR, '/sources add not-a-url'));
    await waitFor(() => lastText(h!, EDITOR).includes('not a URL'), 5000, 'the refusal');

    h.fake.pushUpdate(message(editorChat, EDITOR, `/sources remove ${source!.id}`));
    await waitFor(async () => (await h!.data.repos.sources.list()).length === 0, 5000, 'the removal');
    const actions = (await auditLog(h.db, 10)).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['source.add', 'source.remove']));
  });

  it('refuses a non-editor in one line and changes nothing', async () => {
    feeds = await startFeedServer({ '/atom.xml': { file: 'feeds/atom.xml' } });
    h = await startHarness({ env: { NASHRA_ALLOW_PRIVATE_FETCH: '1' } });
    h.fake.pushUpdate(message(privateChat(4242), 4242, `/sources add ${feeds.base}/atom.xml`));
    await waitFor(() => h!.fake.sentTo(4242).length === 1, 5000, 'the refusal');
    expect(await h.data.repos.sources.list()).toHaveLength(0);
    expect(feeds.requests).toHaveLength(0);
  });
});
