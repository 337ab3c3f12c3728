import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { webhookSecret } from '../../../bots/telegram/index.js';
import { message, privateChat, startHarness, TOKEN, waitFor, type Harness } from '../../fake-telegram/harness.js';
import { freePort } from '../../helpers/child-run.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The local addresses a TCP socket listens on at `port`, as the kernel reports them (Linux's /proc/net/tcp and tcp6). */
function listeningOn(port: number): string[] {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].filter(existsSync).flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((f) => f[1]?.endsWith(`:${hex}`) && f[3] === '0A') // 0A: LISTEN
      .map((f) => {
        const addr = f[1]!.split(':')[0]!;
        if (addr.length === 8) return Buffer.from(addr, 'hex').reverse().join('.'); // little-endian IPv4
        return /^0+$/.test(addr) ? '::' : addr === '0000000000000000FFFF00000100007F' ? '::ffff:127.0.0.1' : addr;
      }),
  );
}

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, host);
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

const externalIPv4 = () =>
  Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

async function post(port: number, update: unknown, secret?: string, host = '127.0.0.1'): Promise<number> {
  const res = await fetch(`http://${host}:${port}/`, {
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
    h = await startHarness({
      env: { TELEGRAM_WEBHOOK_URL: 'https://news.example.org/telegram', TELEGRAM_WEBHOOK_PORT: String(port) },
    });
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

  it('listens on loopback only unless NASHRA_WEB_HOST says otherwise, like the desk', async () => {
    const port = await freePort();
    h = await startHarness({
      env: { TELEGRAM_WEBHOOK_URL: 'https://news.example.org/telegram', TELEGRAM_WEBHOOK_PORT: String(port) },
    });
    if (existsSync('/proc/net/tcp')) expect(listeningOn(port)).toEqual(['127.0.0.1']);
    const external = externalIPv4();
    if (external) expect(await accepts(external, port)).toBe(false);
    expect(await post(port, message(privateChat(904), 904, '/start'), webhookSecret(TOKEN))).toBe(200);
    await h.close();
    h = undefined;

    // Told otherwise: the address given, and only it.
    if (!external) return;
    const other = await freePort();
    h = await startHarness({
      env: {
        TELEGRAM_WEBHOOK_URL: 'https://news.example.org/telegram',
        TELEGRAM_WEBHOOK_PORT: String(other),
        NASHRA_WEB_HOST: external,
      },
    });
    if (existsSync('/proc/net/tcp')) expect(listeningOn(other)).toEqual([external]);
    expect(await accepts('127.0.0.1', other)).toBe(false);
    expect(await post(other, message(privateChat(905), 905, '/start'), webhookSecret(TOKEN), external)).toBe(200);
  });
});
