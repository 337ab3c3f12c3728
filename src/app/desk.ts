import type { Markup } from '../format/post.js';
import type { DeskHandle } from '../desk/server.js';
import type { NewsroomDeps } from '../newsroom/index.js';

/**
 * The web desk, when wanted: on NASHRA_WEB_PORT, or (with only the local demo platform, so a newcomer sees it at
 * once) on the default port. A default port that is taken is said in one line and the run goes on without it.
 */
export async function startDeskIfWanted(newsroom: NewsroomDeps, markups: ReadonlyArray<{ name: string; markup: Markup }>, opts: { demo: boolean; out: (text: string) => void }): Promise<DeskHandle | undefined> {
  const { web } = newsroom.config;
  const port = web.port ?? (opts.demo ? web.defaultPort : undefined);
  if (port === undefined) return undefined;
  const { startDesk } = await import('../desk/server.js');
  try {
    const desk = await startDesk({ newsroom, markups, out: (line) => opts.out(`${line}\n`) }, { port, host: web.host });
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
