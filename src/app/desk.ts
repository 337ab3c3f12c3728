import type { Config } from '../config.js';
import type { DeskHandle } from '../desk/server.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/index.js';

/**
 * The web desk, when wanted: on NASHRA_WEB_PORT, or (with no platform configured, so a newcomer sees it at once) on
 * the default port. A default port that is taken is said in one line and the run goes on without the desk.
 */
export async function startDeskIfWanted(config: Config, store: Store, logger: Logger, opts: { consoleOnly: boolean; out: (text: string) => void; onQueued: () => void }): Promise<DeskHandle | undefined> {
  const port = config.web.port ?? (opts.consoleOnly ? config.web.defaultPort : undefined);
  if (port === undefined) return undefined;
  const [{ startDesk }, { telegramMarkup }, { whatsappMarkup }, { plainMarkup }] = await Promise.all([
    import('../desk/server.js'), import('../../bots/telegram/markup.js'), import('../../bots/whatsapp/markup.js'), import('../format/post.js'),
  ]);
  // Every platform's preview, configured or not: an editor checks the Telegram and the WhatsApp message alike.
  const markups = [{ name: 'telegram', markup: telegramMarkup }, { name: 'whatsapp', markup: whatsappMarkup }];
  if (opts.consoleOnly) markups.push({ name: 'plain', markup: plainMarkup });
  try {
    const desk = await startDesk({ config, store, logger, markups, onQueued: opts.onQueued, out: (line) => opts.out(`${line}\n`) }, { port, host: config.web.host });
    opts.out(`Desk: ${desk.url}\n`);
    return desk;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE' || (err as NodeJS.ErrnoException).code === 'EACCES') {
      opts.out(`Desk: port ${port} on ${config.web.host} is not available; going on without the desk (set NASHRA_WEB_PORT to another port)\n`);
      return undefined;
    }
    throw err;
  }
}
