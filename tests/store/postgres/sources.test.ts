import { describe, expect, it } from 'vitest';
import { adapters } from '../../helpers/postgres.js';

describe.each(adapters())('sources on $name', ({ open }) => {
  it('adds, polls, records fetches, pauses and removes a source the same way', async () => {
    const { repos, uow } = await open();
    const added = await repos.sources.add(
      { url: 'https://example.org/feed', kind: 'rss', name: 'مثال', review: true },
      1_000,
    );
    expect(added).toMatchObject({
      url: 'https://example.org/feed',
      kind: 'rss',
      name: 'مثال',
      review: true,
      active: true,
      intervalSeconds: 600,
    });
    expect((await repos.sources.due(0)).map((s) => s.id)).toEqual([added.id]);
    await repos.sources.recordFetch(
      added.id,
      { status: '200', etag: '"e1"', newArticles: 3, nextFetchAt: 5_000 },
      2_000,
    );
    await repos.sources.recordFetch(added.id, { status: '500', error: 'boom', nextFetchAt: 9_000 }, 3_000);
    const failed = (await repos.sources.get(added.id))!;
    expect(failed).toMatchObject({ etag: '"e1"', articlesFound: 3, errorCount: 1, lastError: 'boom' });
    expect(failed.failingSince).toEqual(new Date(3_000));
    expect(await repos.sources.due(8_999)).toEqual([]);
    expect(await repos.sources.pollSoon(added.id)).toBe(true);
    await uow.run(async (tx) => {
      await tx.sources.setActive(added.id, false);
      await tx.sources.markPrimed(added.id, 4_000);
    });
    expect(await repos.sources.pollSoon(added.id)).toBe(false);
    expect(await repos.sources.due(Infinity)).toEqual([]);
    expect(await repos.sources.subscriptionsReached(added.id)).toBe(0);
    expect(await repos.sources.remove(added.id)).toBe(true);
    expect(await repos.sources.remove(added.id)).toBe(false);
    expect(await repos.sources.list()).toEqual([]);
  });

  it('a unit that fails writes nothing', async () => {
    const { repos, uow } = await open();
    await expect(
      uow.run(async (tx) => {
        await tx.sources.add({ url: 'https://a.example/feed', kind: 'rss', name: 'a' }, 1);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await repos.sources.list()).toEqual([]);
  });
});
