import { afterEach, describe, expect, it } from 'vitest';
import { webhookSecret } from '../bots/telegram/index.js';
import { message, privateChat, startHarness, TOKEN, waitFor, type Harness } from './fake-telegram/harness.js';
import { freePort } from './helpers/child-run.js';

let h: Harness | undefined;
afterEach(async () => { await h?.close(); h = undefined; });

async function post(port: number, update: unknown, secret?: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
    body: JSON.stringify({ update_id: Math.floor(Math.random() * 1e9), ...(update as object) }),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('telegram webhook mode', () => {
  it('registers the webhook with a secret and refuses updates that do not carry it', async () => {
    const port = await freePort();
    h = await startHarness({ env: { TELEGRAM_WEBHOOK_URL: 'https://news.example.org/telegram', TELEGRAM_WEBHOOK_PORT: String(port) } });
    const fake = h.fake;
    const setWebhook = fake.calls.find((c) => c.method === 'setWebhook');
    expect(setWebhook?.params.url).toBe('https://news.example.org/telegram');
    expect(setWebhook?.params.secret_token).toBe(webhookSecret(TOKEN));
    expect(String(setWebhook?.params.secret_token)).not.toContain(TOKEN.split(':')[1]);

    // A stranger who found the port: no secret, or a wrong one. Nothing is answered.
    expect(await post(port, message(privateChat(901), 901, '/start'))).toBe(401);
    expect(await post(port, message(privateChat(902), 902, '/start'), 'guess')).toBe(401);

    // Telegram itself, with the secret.
    expect(await post(port, message(privateChat(903), 903, '/start'), webhookSecret(TOKEN))).toBe(200);
    await waitFor(() => fake.sentTo(903).length === 1, 5000, 'the /start reply');
    expect(fake.sentTo(901)).toHaveLength(0);
    expect(fake.sentTo(902)).toHaveLength(0);
    expect(h.adapter.isConnected()).toBe(true);
  });
});
