/** The «النص الكامل» button as a chat's setting on the desk's settings form, through changeSubscription. */
import { describe, expect, it } from 'vitest';
import { csrfOf, deskPerTest, get, jar, post, signIn } from '../helpers/desk.js';

const setup = deskPerTest();

describe("the full story button on the desk's settings form", () => {
  it("shows the chat kind's default and saves the editor's choice, then the default again", async () => {
    const { app, f } = await setup();
    const channel = await f.data.repos.subscriptions.subscribe(
      { platform: 'telegram', chatId: '-1001', kind: 'channel', title: 'قناة' },
      Date.now(),
    );
    const reader = await f.data.repos.subscriptions.subscribe(
      { platform: 'telegram', chatId: '5001', kind: 'private' },
      Date.now(),
    );
    const j = jar();
    await signIn(app, j);
    const page = await get(app, j, `/subscriptions/${channel.id}/settings`);
    expect(page.body).toMatch(/زرّ «النص الكامل» تحت المنشور \(الافتراضي الآن: يظهر\)<select name="full_story">/);
    expect((await get(app, j, `/subscriptions/${reader.id}/settings`)).body).toMatch(
      /زرّ «النص الكامل» تحت المنشور \(الافتراضي الآن: لا يظهر\)/,
    );

    const form = {
      topics: '',
      header_mode: 'default',
      footer_mode: 'default',
      hashtags: 'default',
      source_line: 'default',
      date: 'default',
      photo: 'default',
      link_preview: 'default',
    };
    const saved = await post(app, j, `/subscriptions/${channel.id}/settings`, {
      ...form,
      full_story: 'off',
      _csrf: csrfOf(page.body),
    });
    expect(saved.statusCode).toBe(303);
    expect(await f.data.repos.subscriptions.template(channel.id)).toEqual({ fullStory: false });
    const again = await get(app, j, `/subscriptions/${channel.id}/settings`);
    expect(again.body).toMatch(
      /<select name="full_story">\s*<option value="default">[^<]*<\/option>\s*<option value="on">[^<]*<\/option>\s*<option value="off" selected>/,
    );
    await post(app, j, `/subscriptions/${channel.id}/settings`, {
      ...form,
      full_story: 'default',
      _csrf: csrfOf(again.body),
    });
    expect(await f.data.repos.subscriptions.template(channel.id)).toEqual({});
  });
});
