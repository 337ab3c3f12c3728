import type { Config } from '../config.js';
import type { Catalogue } from '../i18n/index.js';
import type { PlatformDescriptor } from '../delivery/platform.js';
import type { DeskPlatform } from '../desk/pages.js';
import type { DeskHandle } from '../desk/server.js';
import type { OutletNewsrooms } from '../newsroom/index.js';
import type { PushIngest } from '../ingest/push.js';

/**
 * The platforms as the desk shows them: every one that sends to subscribers (the local ones only in the demo), each
 * marked on when the configuration turns it on. Only those that are on get a preview and an audience; the others
 * keep their names and post links for what they sent before.
 */
export function deskPlatforms(
  registry: readonly PlatformDescriptor[],
  config: Pick<Config, 'platforms'>,
  demo: boolean,
): DeskPlatform[] {
  return registry
    .filter((p) => demo || !p.local)
    .map((p) => ({
      name: p.name,
      markup: p.markup,
      label: p.label,
      postUrl: p.postUrl?.bind(p),
      on: config.platforms[p.name] !== undefined,
    }));
}

/**
 * The web desk, when wanted: on NASHRA_WEB_PORT, or on the default port with only the local demo platform (so a
 * newcomer sees it at once) or when clicks are counted (posts link to its `/r/<code>`). A port that is taken is said in one line and the run goes on without the desk.
 */
export async function startDeskIfWanted(
  outlets: OutletNewsrooms,
  platforms: readonly DeskPlatform[],
  opts: {
    demo: boolean;
    out: (text: string) => void;
    /** The run's words in the CLI's language. */
    words: Catalogue['cli']['run'];
    push?: (outlet: string) => PushIngest | undefined;
  },
): Promise<DeskHandle | undefined> {
  const { config } = outlets.main;
  const { web } = config;
  // Counting clicks needs the server: posts link to it.
  const port = web.port ?? (opts.demo || config.clicks.track ? web.defaultPort : undefined);
  if (port === undefined) return undefined;
  const { startDesk } = await import('../desk/server.js');
  try {
    const desk = await startDesk(
      { outlets, platforms, announceSetup: (link) => opts.out(opts.words.deskSetup(link)), push: opts.push },
      { port, host: web.host },
    );
    opts.out(opts.words.desk(desk.url));
    return desk;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      opts.out(opts.words.deskPortTaken(port, web.host));
      return undefined;
    }
    throw err;
  }
}
