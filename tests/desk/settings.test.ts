/** The desk's settings form for one subscription (issue 12, sections 1 and 4): through changeSubscription, audited as the editor. */
import { describe, expect, it } from 'vitest';
import { csrfOf, deskPerTest, EDITOR, get, jar, post, signIn } from '../helpers/desk.js';

const setup = deskPerTest();

describe("a subscription's settings on the desk", () => {
  it('shows the filter and template, saves them as the editor, and refuses a request without the CSRF token', async () => {
    const { app, f } = await setup({ NASHRA_FOOTER: 'نشرة' });
    const r = f.data.repos;
    const source = await r.sources.add(
      { url: 'https://general.example/feed', kind: 'rss', name: 'موقع عام' },
      Date.now(),
    );
    const sub = await r.subscriptions.subscribe(
      { platform: 'telegram', chatId: '-1001', kind: 'channel', title: 'قناة الرقة', topics: ['الرقة'] },
      Date.now(),
    );
    const j = jar();
    await signIn(app, j);
    expect((await get(app, j, '/subscriptions')).body).toContain(`href="/subscriptions/${sub.id}/settings"`);
    const page = await get(app, j, `/subscriptions/${sub.id}/settings`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('إعدادات قناة الرقة');
    expect(page.body).toContain('(الافتراضي الآن: «نشرة»)');

    const form = {
      topics: 'الرقة "دير الزور" -رياضة',
      header_mode: 'text',
      header: '🔴 الرقة',
      footer_mode: 'none',
      footer: '',
      hashtags: 'off',
      source_line: 'default',
      date: 'on',
      photo: 'default',
      link_preview: 'large',
      [`source_${source.id}`]: 'سوريا -"كرة القدم"',
    };
    expect((await post(app, j, `/subscriptions/${sub.id}/settings`, form)).statusCode).toBe(403);
    expect(await r.subscriptions.template(sub.id)).toEqual({});

    const saved = await post(app, j, `/subscriptions/${sub.id}/settings`, { ...form, _csrf: csrfOf(page.body) });
    expect([saved.statusCode, saved.headers.location]).toEqual([303, `/subscriptions/${sub.id}/settings?saved=1`]);
    expect((await r.subscriptions.get(sub.id))!.topics).toEqual(['الرقة', 'دير الزور', '-رياضة']);
    expect(await r.subscriptions.template(sub.id)).toEqual({
      headerMark: '🔴 الرقة',
      footer: '',
      showHashtags: false,
      showDate: true,
      linkPreview: 'large',
    });
    expect(await r.subscriptions.sourceFilters(sub.id)).toEqual([
      { sourceId: source.id, topics: ['سوريا', '-كرة القدم'] },
    ]);
    const audit = (await r.reads.audit({ limit: 50 })).filter((e) => e.action === 'subscription.update');
    expect(audit.map((e) => [e.platform, e.actor])).toEqual([
      ['desk', EDITOR],
      ['desk', EDITOR],
    ]);

    const after = await get(app, j, `/subscriptions/${sub.id}/settings?saved=1`);
    expect(after.body).toContain('تمّ الحفظ.');
    expect(after.body).toContain('value="الرقة &quot;دير الزور&quot; -رياضة"');
    // «default» everywhere returns every field to the environment's value; an empty source filter is removed.
    const reset = {
      topics: 'الرقة',
      header_mode: 'default',
      footer_mode: 'default',
      hashtags: 'default',
      source_line: 'default',
      date: 'default',
      photo: 'default',
      link_preview: 'default',
      [`source_${source.id}`]: '',
    };
    await post(app, j, `/subscriptions/${sub.id}/settings`, { ...reset, _csrf: csrfOf(after.body) });
    expect(await r.subscriptions.template(sub.id)).toEqual({});
    expect(await r.subscriptions.sourceFilters(sub.id)).toEqual([]);
    expect((await get(app, j, '/subscriptions/99999/settings')).statusCode).toBe(404);
  });
});
