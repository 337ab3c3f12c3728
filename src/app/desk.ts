import type { PlatformDescriptor } from '../delivery/platform.js';
import type { DeskPlatform } from '../desk/pages.js';
import type { DeskHandle } from '../desk/server.js';
import type { NewsroomDeps } from '../newsroom/index.js';

/** How editors call the built-in platforms; a plug-in platform is shown by its name. */
const LABELS: Record<string, { ar: string; en: string }> = {
  telegram: { ar: 'تيليغرام', en: 'Telegram' },
  whatsapp: { ar: 'واتساب', en: 'WhatsApp' },
  console: { ar: 'الطرفية', en: 'Console' },
};

/** A public Telegram channel's post: t.me/<name>/<message>, or t.me/c/<id>/<message> (for its members). */
function telegramPostUrl(chat: { chatId: string; kind: string }, messageId: string): string | undefined {
  if (!/^\d+$/.test(messageId)) return undefined;
  if (/^@[A-Za-z][A-Za-z0-9_]{3,31}$/.test(chat.chatId)) return `https://t.me/${chat.chatId.slice(1)}/${messageId}`;
  if (chat.kind === 'channel' && /^-100\d+$/.test(chat.chatId)) return `https://t.me/c/${chat.chatId.slice(4)}/${messageId}`;
  return undefined;
}

/** The platforms as the desk shows them: every one that sends to subscribers (configured or not), the local ones only in the demo. */
export function deskPlatforms(registry: readonly PlatformDescriptor[], demo: boolean): DeskPlatform[] {
  return registry.filter((p) => demo || !p.local).map((p) => ({
    name: p.name, markup: p.markup, label: LABELS[p.name], postUrl: p.name === 'telegram' ? telegramPostUrl : undefined,
  }));
}

/**
 * The web desk, when wanted: on NASHRA_WEB_PORT, or (with only the local demo platform, so a newcomer sees it at
 * once) on the default port. A port that is taken is said in one line and the run goes on without the desk.
 */
export async function startDeskIfWanted(newsroom: NewsroomDeps, platforms: readonly DeskPlatform[], opts: { demo: boolean; out: (text: string) => void }): Promise<DeskHandle | undefined> {
  const { web } = newsroom.config;
  const port = web.port ?? (opts.demo ? web.defaultPort : undefined);
  if (port === undefined) return undefined;
  const { startDesk } = await import('../desk/server.js');
  try {
    const desk = await startDesk({ newsroom, platforms, out: (line) => opts.out(`${line}\n`) }, { port, host: web.host });
    opts.out(`Desk: ${desk.url}\n`);
    return desk;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      opts.out(`Desk: port ${port} on ${web.host} is not available; going on without the desk (set NASHRA_WEB_PORT to another port)\n`);
      return undefined;
    }
    throw err;
  }
}
