/**
 * Issue 16, item 9: /search finds inflected forms (FTS5 over light stems), best match first, with the sentence that
 * matched. Through real SQLite rows and the Telegram /search command against the fake Bot API.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { searchArticles } from '../../src/newsroom/index.js';
import { storeArticle } from '../../src/newsroom/pipeline.js';
import type { DataPorts } from '../../src/ports/index.js';
import { openStore } from '../../src/store/index.js';
import { addArticle, message, privateChat, startHarness, waitFor, type Harness } from '../fake-telegram/harness.js';
import { tempDir } from '../helpers/tmp.js';
import { onPostgres } from '../helpers/pass.js';
import { adapters } from '../helpers/postgres.js';

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** /search as every front door asks it: through the newsroom's query and the ports. */
const search = (data: DataPorts, query: string) => searchArticles({ data }, query, 5);

let n = 0;
async function put(data: DataPorts, title: string, paragraphs: string[]) {
  const article = {
    url: `https://example.com/s/${++n}`,
    title,
    source: 'test',
    paragraphs,
    categories: [],
    language: 'ar',
  };
  const r = await data.uow.run((tx) => storeArticle(tx, article));
  if (r.status !== 'new') throw new Error('duplicate');
  return r.article;
}

const HOUTHI_BODY = [
  'عقد مجلس الأمن جلسة طارئة مساء أمس لبحث أمن الملاحة في البحر الأحمر بعد هجمات متكررة على السفن التجارية.',
  'وناقش أعضاء مجلس الأمن مشروع قرار جديداً يطالب بحماية الملاحة الدولية وضمان حرية مرور السفن.',
  'وقالت مندوبة بريطانيا في مجلس الأمن إن بلادها تدعم الجهود الدبلوماسية لوقف التصعيد وحماية الملاحة.',
  'وأكد المندوب الأمريكي أن واشنطن ستواصل العمل مع شركائها لضمان أمن الملاحة في المنطقة.',
  'ومن المتوقع أن يصوت مجلس الأمن على مشروع القرار الأسبوع المقبل.',
  'وكان متحدث باسم الحوثيين قد رفض التعليق.',
];

// On SQLite (FTS5, bm25) and PostgreSQL (tsvector, ts_rank): the same articles, the best first.
describe.each(adapters())('search on $name', ({ open }) => {
  it('finds «الحوثيين» when asked for «الحوثيون», with the sentence that matched', async () => {
    const store = await open();
    const a = await put(store, 'مجلس الأمن يبحث أمن الملاحة', HOUTHI_BODY);
    await put(store, 'أسعار الذهب ترتفع', [
      'ارتفعت أسعار الذهب في الأسواق العالمية اليوم.',
      'وقال محللون إن الطلب يزداد.',
    ]);
    const hits = await search(store, 'الحوثيون');
    expect(hits.map((h) => h.article.id)).toEqual([a.id]);
    // The summary (what the post shows) does not say it: the snippet is the body sentence that does.
    expect(a.summary.join(' ')).not.toContain('الحوثيين');
    expect(hits[0]!.snippet).toBe('وكان متحدث باسم الحوثيين قد رفض التعليق.');
    // Other inflections and clitics find it too; every word of the query must match.
    for (const q of ['حوثيين', 'للحوثي', 'الحوثيين متحدث', 'والمتحدث'])
      expect(
        (await search(store, q)).map((h) => h.article.id),
        q,
      ).toEqual([a.id]);
    expect(await search(store, 'الحوثيون الذهب')).toEqual([]);
    // A match the post shows already (the headline) needs no snippet.
    expect((await search(store, 'الملاحة'))[0]).toEqual({ article: expect.objectContaining({ id: a.id }) });
    expect(await search(store, 'في من')).toEqual([]);
    // Words FTS5 would read as operators or syntax are only words.
    await expect(search(store, 'NOT OR "AND" * ( :')).resolves.toBeInstanceOf(Array);
  });

  it('ranks by relevance, not by date', async () => {
    const store = await open();
    const strong = await put(store, 'انتخابات البلدية في حلب', [
      'جرت الانتخابات البلدية في حلب.',
      'وشارك في الانتخابات آلاف الناخبين.',
      'ونتائج الانتخابات تعلن غداً.',
    ]);
    const weak = await put(store, 'طقس بارد في الشمال', [
      'يسود طقس بارد في الشمال.',
      'وتأجلت الانتخابات الطلابية بسبب الثلج في جامعة بعيدة عن المدينة وعن مراكز المحافظة كلها.',
    ]);
    expect(weak.id).toBeGreaterThan(strong.id);
    expect((await search(store, 'انتخابات')).map((h) => h.article.id)).toEqual([strong.id, weak.id]);
  });
});

describe('search', () => {
  // A SQLite file of version 2 migrated (PostgreSQL's schema starts with its index: tests/store/postgres/schema.test.ts).
  it.skipIf(onPostgres())('indexes a database that was written before the search index existed', async () => {
    const { dir, cleanup } = tempDir('nashra-search-v2-');
    cleanups.push(cleanup);
    const path = join(dir, 'nashra.db');
    copyFileSync(new URL('../fixtures/db/nashra-v2.sqlite', import.meta.url).pathname, path);
    const store = openStore(path);
    cleanups.push(() => store.close());
    expect(store.articles.searchIndexCurrent()).toBe(true);
    // «انفجار في دمشق», stored by version 2: found through an inflected form of a word of its headline.
    expect((await search(store.ports(), 'بدمشق')).map((h) => h.article.id)).toContain(2);
  });

  it('Telegram /search answers with the matching article and its sentence', async () => {
    const h: Harness = await startHarness();
    cleanups.push(() => h.close());
    await addArticle(h.data, { title: 'مجلس الأمن يبحث أمن الملاحة', paragraphs: HOUTHI_BODY });
    await addArticle(h.data);
    h.fake.pushUpdate(message(privateChat(4242), 4242, '/search الحوثيون'));
    await waitFor(() => h.fake.sentTo(4242).length > 0, 8000, 'the search reply');
    const text = String(h.fake.sentTo(4242)[0]!.params.text);
    expect(text).toContain('مجلس الأمن يبحث أمن الملاحة');
    expect(text).toContain('🔎 <i>');
    expect(text).toContain('الحوثيين');
    expect(text).not.toContain('خبر رقم');
  });
});
