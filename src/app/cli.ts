#!/usr/bin/env -S node --max-old-space-size=128
// The heap cap keeps `nashra run` near its live size: V8 on a large server otherwise lets garbage pile up to
// hundreds of MB before collecting. 128 MB is several times what a 10,000-chat broadcast keeps alive.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError, PermissionError, UserError } from '../errors.js';
import { StoreError, storageFault } from '../store/index.js';
import { createContext, processIo, type CliIo, type CommandContext } from './context.js';
import { loadRegistry } from './platforms.js';
import type { PlatformDescriptor } from '../delivery/platform.js';
import { addDeliveryOptions } from './commands/subscription-options.js';
import { MAX_SCHEDULE_AHEAD_MS } from '../text/schedule.js';
import { outletPlatformEnv } from '../config.js';
import { MAIN_OUTLET } from '../model/outlet.js';
import { defaultEnvPrefix } from '../newsroom/outlets.js';

/** How far ahead --at takes, in days (the newsroom's limit). */
const SCHEDULE_DAYS = MAX_SCHEDULE_AHEAD_MS / 86_400_000;

type Options = Record<string, unknown>;
/** A command's handler; `O`: the options it declares, as commander parsed them (defaults, argument parsers applied). */
type Handler<O> = (args: string[], options: O, ctx: CommandContext) => Promise<void>;
/** Runs a command's work with the context the global options (--db, --outlet) name. */
type Run = (options: Options, work: (ctx: CommandContext) => Promise<void>) => Promise<void>;

/** Commands load on demand: `nashra latest` must start fast and not pay for grammY or puppeteer. */
const lazy =
  <M, O>(load: () => Promise<M>, pick: (m: M) => Handler<O>): Handler<O> =>
  async (args, options, ctx) =>
    pick(await load())(args, options, ctx);
const commands = () => import('./commands/index.js');

const wholeNumber =
  (min: number, max: number) =>
  (raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}, not "${raw}"`);
    return n;
  };

/** `nashra resend`: an article id (12), or a broadcast id as the desk shows it (#12, written b12). */
const resendId = (raw: string): string => {
  if (!/^[b#]?[1-9]\d{0,15}$/i.test(raw))
    throw new InvalidArgumentError(`must be an article id (12) or a broadcast id (b12), not "${raw}"`);
  return raw;
};

/** `nashra in-doubt` takes a job's id, of any kind, as `nashra in-doubt list` shows it. */
const inDoubtId = (raw: string): string => {
  if (!/^[1-9]\d{0,15}$/.test(raw))
    throw new InvalidArgumentError(`must be a job id (12) from nashra in-doubt list, not "${raw}"`);
  return raw;
};

/** What each group of commands registers itself with. */
interface Registrar {
  program: Command;
  registry: readonly PlatformDescriptor[];
  action: <O>(handler: Handler<O>) => (...params: unknown[]) => Promise<void>;
}

/** A subcommand that, like the program, refuses an unknown name with the closest known one. */
const sub = (parent: Command, name: string, opts?: { isDefault?: boolean }) =>
  parent.command(name, opts).exitOverride().showSuggestionAfterError();

/**
 * A commander action that runs the handler with the command's arguments and options. Commander's options are
 * untyped; the handler's type names the options declared beside it, which commander has parsed and checked.
 */
const actionOf =
  (run: Run) =>
  <O>(handler: Handler<O>) =>
  async (...params: unknown[]) => {
    const command = params.at(-1) as Command;
    const args = command.processedArgs
      .flat()
      .filter((a) => a !== undefined)
      .map(String);
    const options = command.optsWithGlobals<O & Options>();
    await run(options, (ctx) => handler(args, options, ctx));
  };

/**
 * The `nashra` command line on commander: every command and subcommand has --help (exit 0) listing its options,
 * an unknown option is refused with the closest known one, and a platform's own subcommands come from its
 * descriptor. Chat ids such as -1001234567890 are arguments, not options (commander reads negative numbers so).
 */
export function buildProgram(registry: readonly PlatformDescriptor[], run: Run, io: CliIo = processIo()): Command {
  const program = new Command('nashra')
    .description('Arabic news summaries, delivered exactly once to Telegram, WhatsApp and more')
    .option('--db <path>', 'the SQLite database (default: DATABASE_PATH, or ./data/nashra.db)')
    .option('--outlet <name>', 'the outlet (newsroom) a command acts on (default: the only one; nashra outlets list)')
    .showSuggestionAfterError()
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // One line, in the same form as every other error Nashra prints.
      outputError: (text, write) =>
        write(
          `nashra: ${text
            .replace(/^error: /, '')
            .replace(/\s*\n\s*/g, ' ')
            .trim()}\n`,
        ),
    });
  const registrar: Registrar = { program, registry, action: actionOf(run) };
  for (const register of [
    registerRun,
    registerArticles,
    registerSubscriptions,
    registerBroadcasts,
    registerCorrections,
    registerSources,
    registerResendAndInDoubt,
    registerReview,
    registerReports,
    registerSummarize,
    registerDatabase,
    registerOutlets,
    registerEditors,
    registerPlatformCommands,
  ])
    register(registrar);
  return program;
}

/** `nashra run`: the main job. */
function registerRun({ program, action }: Registrar): void {
  sub(program, 'run')
    .description('poll sources and send queued deliveries through every configured platform')
    .option('--once', 'one poll of every active source, send until the queue is empty, exit')
    .action(action(lazy(commands, (m) => m.runCommand)));
}

/** `nashra preview` and `nashra ingest`: an article as it would be sent, and storing articles. */
function registerArticles({ program, action }: Registrar): void {
  sub(program, 'preview')
    .description('the message exactly as it would be sent; nothing is stored')
    .argument('<file-or-url>', 'a text or HTML file, or an article URL')
    .addOption(new Option('--platform <name>', "which platform's markup").default('telegram'))
    .option('--json', "every platform's message, the summary and hashtags as JSON")
    .action(action(lazy(commands, (m) => m.previewCommand)));
  sub(program, 'ingest')
    .description('store articles (duplicates are reported, not stored) and queue them for matching subscribers')
    .argument('<files-or-urls...>')
    .option('--source-name <name>', 'who published it (a file has no site to name; default «نشرة» or the byline)')
    .option(
      '--url <url>',
      "the article's public address, shown as its link (one input); a file without it is sent without a link",
    )
    .option('--published-at <date>', 'when it was published, ISO 8601 (2026-11-25T14:05+03:00); default: no date')
    .action(action(lazy(commands, (m) => m.ingestCommand)));
}

/** `nashra subs`: which chats receive the news, and what. */
function registerSubscriptions({ program, registry, action }: Registrar): void {
  const subs = sub(program, 'subs').description('subscriptions: which chats receive the news');
  addDeliveryOptions(
    sub(subs, 'add').description('subscribe a chat, or change what it receives and when (settings not given are kept)'),
  )
    .argument('<platform>', `one of: ${registry.map((p) => p.name).join(', ')}`)
    .argument('<chat-id>', 'e.g. -1001234567890 or @channel (Telegram), 1203…@g.us (WhatsApp)')
    .option(
      '--topics <list>',
      'comma-separated words or phrases; only matching articles are sent (default: everything); «-word» excludes',
    )
    .option('--exclude <list>', 'comma-separated words or phrases: articles that mention any of them are never sent')
    .addOption(
      new Option('--kind <kind>', 'what the chat is (default: from the id)').choices(['channel', 'group', 'private']),
    )
    .option('--thread <n>', 'a forum topic (Telegram message_thread_id)', wholeNumber(1, 2 ** 31))
    .action(action(lazy(commands, (m) => m.subsAdd)));
  addDeliveryOptions(
    sub(subs, 'set').description(
      'change what an existing subscription receives, how and when (settings not given are kept)',
    ),
  )
    .argument('<id>', 'from nashra subs list', wholeNumber(1, Number.MAX_SAFE_INTEGER))
    .option(
      '--topics <list>',
      'comma-separated words or phrases to include (replaces the included half; "" for everything)',
    )
    .option('--exclude <list>', 'comma-separated words or phrases to exclude (replaces the excluded half)')
    .option(
      '--source <id>',
      '--topics/--exclude set the filter for this source only (an article from it must pass both)',
      wholeNumber(1, Number.MAX_SAFE_INTEGER),
    )
    .option('--header <text>', 'a line above the headline, as written')
    .option('--no-header', 'no header line')
    .option('--footer <text>', 'a closing line, as written')
    .option('--no-footer', 'no footer line')
    .option('--hashtags', 'show the hashtag line')
    .option('--no-hashtags', 'no hashtag line')
    .option('--source-line', 'show the source line')
    .option('--no-source-line', 'no source line')
    .option('--date', 'show the date')
    .option('--no-date', 'no date')
    .option('--photo', 'send the lead image as a photo with the summary as caption')
    .option('--no-photo', 'text only, even with a lead image')
    .option('--full-story', 'a «النص الكامل» button under posts: the whole article in the chat')
    .option('--no-full-story', 'no «النص الكامل» button')
    .addOption(
      new Option('--link-preview <size>', 'link preview under a text message (WhatsApp: small and large = on)').choices(
        ['none', 'small', 'large'],
      ),
    )
    .option(
      '--full-story-in-group',
      "a group's members may ask for a story's full text in the group (WhatsApp: reply «المزيد»)",
    )
    .option('--no-full-story-in-group', "full text only in a reader's private chat (the default)")
    .option(
      '--default <fields>',
      "back to the environment's default: all, or some of header,footer,hashtags,source-line,date,photo,link-preview,full-story,full-story-in-group",
    )
    .action(action(lazy(commands, (m) => m.subsSet)));
  sub(subs, 'list')
    .description('every subscription with its state')
    .action(action(lazy(commands, (m) => m.subsList)));
  sub(subs, 'remove')
    .description('deactivate (history is kept, so a chat re-added later never gets an article twice)')
    .argument('<id>', 'from nashra subs list', wholeNumber(1, Number.MAX_SAFE_INTEGER))
    .action(action(lazy(commands, (m) => m.subsRemove)));
}

/** `nashra latest` (the articles to pick from), `broadcast`, `urgent` and `scheduled`. */
function registerBroadcasts({ program, action }: Registrar): void {
  sub(program, 'latest')
    .description('the n newest summaries')
    .argument('[n]', 'how many (1 to 50)', wholeNumber(1, 50), 5)
    .action(action(lazy(commands, (m) => m.latestCommand)));
  sub(program, 'broadcast')
    .description('preview an article, then queue it for every matching active subscription')
    .argument('<article>', 'an id from nashra latest, or a URL (fetched and stored when it is not stored yet)')
    .option('--yes', 'queue without asking')
    .option('--all', 'every active subscription, whatever its topics')
    .option('--platform <name>', 'every active subscription on one platform')
    .option('--paid', 'send above the free rate where a platform offers it for a fee (the preview states the cost)')
    .option(
      '--at <time>',
      `schedule it: 18:00 (the next 18:00 in NASHRA_TIME_ZONE) or "2026-12-08 18:00", at most ${SCHEDULE_DAYS} days ahead`,
    )
    .action(action(lazy(commands, (m) => m.broadcastCommand)));
  sub(program, 'urgent')
    .description('compose an «عاجل» alert and send it first, to everyone')
    .argument('<text...>')
    .option('--yes', 'queue without asking')
    .option(
      '--paid',
      'send above the free rate where a platform offers it for a fee (the default when configured for urgent alerts)',
    )
    .option('--free', 'never above the free rate, even when urgent alerts are configured paid')
    .option(
      '--at <time>',
      `schedule it: 18:00 (the next 18:00 in NASHRA_TIME_ZONE) or "2026-12-08 18:00", at most ${SCHEDULE_DAYS} days ahead`,
    )
    .action(action(lazy(commands, (m) => m.urgentCommand)));

  const scheduled = sub(program, 'scheduled').description(
    'broadcasts and urgent alerts scheduled with --at that have not gone yet',
  );
  sub(scheduled, 'list', { isDefault: true })
    .description('what is scheduled, soonest first')
    .action(action(lazy(commands, (m) => m.scheduledList)));
  sub(scheduled, 'move')
    .description('another time, before its time comes')
    .argument('<id>', 'from nashra scheduled (b12)')
    .argument('<time...>', 'as --at: 18:00 or 2026-12-08 18:00')
    .action(action(lazy(commands, (m) => m.scheduledMove)));
  sub(scheduled, 'cancel')
    .description('nothing of it goes, before its time comes')
    .argument('<id>', 'from nashra scheduled (b12)')
    .action(action(lazy(commands, (m) => m.scheduledCancel)));
}

/** `nashra correct`, `retract` and `corrections`: a story's posts after it was sent. */
function registerCorrections({ program, action }: Registrar): void {
  sub(program, 'correct')
    .description('correct a story: every post already sent is edited (preview, then confirm)')
    .argument('<article>', 'an id from nashra latest, or the URL of a stored article')
    .option('--title <text>', 'the corrected headline')
    .option('--summary <text>', 'the corrected summary (one sentence per line)')
    .option('--summary-file <file>', 'the corrected summary from a file, one sentence per line (- for stdin)')
    .option('--hashtags <list>', 'comma-separated hashtags')
    .option('--yes', 'correct without asking')
    .action(action(lazy(commands, (m) => m.correctCommand)));
  sub(program, 'retract')
    .description('pull a story: queued deliveries cancelled, every sent post deleted (or replaced by a notice)')
    .argument('<article>', 'an id from nashra latest, or the URL of a stored article')
    .option('--yes', 'retract without asking')
    .action(action(lazy(commands, (m) => m.retractCommand)));
  sub(program, 'corrections')
    .description("what became of an article's posts after a correction or a retraction, per platform")
    .argument('<article-id>', 'from nashra latest', wholeNumber(1, Number.MAX_SAFE_INTEGER))
    .action(action(lazy(commands, (m) => m.correctionsCommand)));
}

/** `nashra sources`: the feeds and sites followed. */
function registerSources({ program, action }: Registrar): void {
  const sources = sub(program, 'sources').description('the feeds and sites Nashra follows');
  sub(sources, 'add')
    .description('follow a feed (RSS, Atom, JSON Feed), a WordPress site or an article page')
    .argument('<url>')
    .option('--name <name>', "shown as the source (default: the feed's title)")
    .option('--interval <every>', 'how often to poll: 90s, 10m, 1h', '10m')
    .option('--category <name>', 'a category for its articles')
    .option(
      '--backfill <n>',
      'send the newest n items already in the feed (default 0: mark them seen)',
      wholeNumber(0, 100),
      0,
    )
    .option(
      '--review',
      'hold new items for an editor: nothing is sent before «نشر» (Telegram) or nashra review publish',
    )
    .action(action(lazy(commands, (m) => m.sourcesAdd)));
  sub(sources, 'import')
    .description(
      "follow every feed of an OPML file (a feed reader's export), with a report: added, already followed, refused and why",
    )
    .argument('<file.opml>')
    .option('--interval <every>', 'how often to poll the new sources: 90s, 10m, 1h', '10m')
    .action(action(lazy(commands, (m) => m.sourcesImport)));
  sub(sources, 'export')
    .description('every source as OPML, in folders by category (to the file, or to standard output)')
    .argument('[file]')
    .option('--force', 'overwrite the file')
    .action(action(lazy(commands, (m) => m.sourcesExport)));
  sub(sources, 'list')
    .description('with last fetch, status, error count and articles found')
    .action(action(lazy(commands, (m) => m.sourcesList)));
  for (const [name, description] of [
    ['remove', 'stop following a source (its articles stay stored)'],
    ['pause', 'stop polling a source for now'],
    ['resume', 'poll a paused source again (what was published meanwhile is marked seen)'],
    ['poll', 'poll a source now (the running nashra run takes it within a second)'],
  ] as const) {
    sub(sources, name)
      .description(description)
      .argument('<id>', 'from nashra sources list', wholeNumber(1, Number.MAX_SAFE_INTEGER))
      .action(action(lazy(commands, (m) => m.sourcesChange(name))));
  }
  sub(sources, 'hook')
    .description('the publish hook of a source: its address and secret, for the site to call when it publishes')
    .argument('<id>', 'from nashra sources list', wholeNumber(1, Number.MAX_SAFE_INTEGER))
    .option('--rotate', 'a new secret (the old one stops working at once)')
    .option('--off', 'turn the hook off (every call is refused)')
    .action(action(lazy(commands, (m) => m.sourcesHook)));
}

/** `nashra resend` and `nashra in-doubt`: deliveries that failed, or that a crash left in doubt. */
function registerResendAndInDoubt({ program, action }: Registrar): void {
  sub(program, 'resend')
    .description(
      'send the failed deliveries of an article or a broadcast again (those that failed for a temporary reason)',
    )
    .argument('<id>', "an article id (from nashra latest), or b<N> for broadcast N (the desk's «#N»)", resendId)
    .option('--failed', 'every failed delivery to a chat still subscribed, also those the platform refused for good')
    .action(action(lazy(commands, (m) => m.resendCommand)));

  const inDoubt = sub(program, 'in-doubt').description(
    'posts, digest messages, edits and deletions a crash left in doubt (they may or may not have arrived)',
  );
  sub(inDoubt, 'list')
    .description('every job in doubt, of every kind')
    .action(action(lazy(commands, (m) => m.inDoubtList)));
  for (const [name, description] of [
    ['mark-sent', 'the chat shows it: close it as sent (done)'],
    ['send-again', 'it did not arrive: queue it again'],
  ] as const) {
    sub(inDoubt, name)
      .description(description)
      .argument('<id>', 'a job id from nashra in-doubt list', inDoubtId)
      .action(action(lazy(commands, (m) => m.inDoubtResolve(name))));
  }
}

/** `nashra review`: items held for an editor. */
function registerReview({ program, action }: Registrar): void {
  const review = sub(program, 'review').description('items from sources added with --review, waiting for an editor');
  sub(review, 'list')
    .description('the items waiting, oldest first')
    .action(action(lazy(commands, (m) => m.reviewList)));
  for (const [name, description] of [
    ['publish', 'queue it for every matching subscription'],
    ['dismiss', 'never send it'],
  ] as const) {
    sub(review, name)
      .description(description)
      .argument('<article-id>', 'from nashra review list', wholeNumber(1, Number.MAX_SAFE_INTEGER))
      .action(action(lazy(commands, (m) => m.reviewDecide(name))));
  }
}

/** `nashra stats` and `nashra reach`. */
function registerReports({ program, action }: Registrar): void {
  sub(program, 'stats')
    .description(
      'articles, subscriptions, deliveries per state, queue depth and age, in-doubt deliveries, failing sources',
    )
    .option('--json', 'as JSON')
    .action(action(lazy(commands, (m) => m.statsCommand)));
  sub(program, 'reach')
    .description(
      'what each story did: posts, clicks on their links and clicks per post, per platform and chat; the top stories of the day and week; clicks by hour and weekday',
    )
    .option('--since <window>', 'how far back: 24h, 7d, 4w (a bare number is days)', '7d')
    .option('--json', 'as JSON')
    .action(action(lazy(commands, (m) => m.reachCommand)));
}

/** `nashra summarize --jsonl`: the summariser alone, for the evaluation. */
function registerSummarize({ program, action }: Registrar): void {
  sub(program, 'summarize')
    .description('JSON lines {"id", "title"?, "text"} on stdin → {"id", "summary": [...]} per line')
    .requiredOption('--jsonl', 'read and write JSON lines')
    .option('--sentences <n>', 'exactly n sentences, no length budget (the evaluation setting)', wholeNumber(1, 20))
    .option('--max-chars <n>', 'the length budget', wholeNumber(20, 1_000_000))
    .action(action(lazy(commands, (m) => m.summarizeCommand)));
}

/** `nashra backup` and `nashra db copy`: the database itself. */
function registerDatabase({ program, action }: Registrar): void {
  sub(program, 'backup')
    .description('a consistent copy of the database, safe while nashra run is using it')
    .argument('<file>')
    .option('--force', 'overwrite the file')
    .action(action(lazy(commands, (m) => m.backupCommand)));
  const db = sub(program, 'db').description('the database itself: moving it to PostgreSQL');
  sub(db, 'copy')
    .description(
      'copy every row of the SQLite database (--db, DATABASE_PATH) into a new, empty PostgreSQL database, and check the copy',
    )
    .requiredOption('--to <url>', 'the PostgreSQL database: postgres://user:password@host:5432/database')
    .action(action(lazy(commands, (m) => m.dbCopy)));
}

/** `nashra outlets`: the newsrooms served. */
function registerOutlets({ program, action }: Registrar): void {
  const outlets = sub(program, 'outlets').description(
    'the newsrooms this installation serves, each with its own sources, chats, bot and editors',
  );
  sub(outlets, 'list')
    .description('every outlet, where its rows are, and where its bot token and WhatsApp session come from')
    .action(action(lazy(commands, (m) => m.outletsList)));
  sub(outlets, 'add')
    .description('a new outlet (its database is made now)')
    .argument('<name>', 'its short name: lower-case letters, digits, hyphens (e.g. sy24)')
    .option('--name <text>', 'its full name, as editors see it (default: the short name)')
    .option(
      '--env-prefix <PREFIX_>',
      "its platforms' variables start with this (default: the name in capitals and _, SY24_TELEGRAM_BOT_TOKEN)",
    )
    .action(action(lazy(commands, (m) => m.outletsAdd)));
  sub(outlets, 'remove')
    .description('take an outlet out of the list; its rows are kept')
    .argument('<name>')
    .action(action(lazy(commands, (m) => m.outletsRemove)));
}

/** `nashra editors`: the web desk's accounts. */
function registerEditors({ program, action }: Registrar): void {
  const editors = sub(program, 'editors').description("the web desk's editor accounts (username and password)");
  sub(editors, 'add')
    .description(
      'create an account in an outlet (--outlet, default: the only one); the password is asked twice on a terminal',
    )
    .argument('<username>')
    .option('--password-stdin', 'read the password from standard input')
    .option('--role <role>', "admin (also manages the outlet's sources, chats and accounts) or editor", 'editor')
    .action(action(lazy(commands, (m) => m.editorsAdd)));
  sub(editors, 'list')
    .description('every desk account, with its outlets and role in each')
    .action(action(lazy(commands, (m) => m.editorsList)));
  sub(editors, 'grant')
    .description('let an account work in an outlet (--outlet), or change its role there')
    .argument('<username>')
    .requiredOption('--role <role>', 'admin or editor')
    .action(action(lazy(commands, (m) => m.editorsGrant)));
  sub(editors, 'revoke')
    .description('an account no longer works in an outlet (--outlet); its desk leaves that outlet at its next page')
    .argument('<username>')
    .action(action(lazy(commands, (m) => m.editorsRevoke)));
  sub(editors, 'remove')
    .description('delete an account and end its sessions')
    .argument('<username>')
    .action(action(lazy(commands, (m) => m.editorsRemove)));
  sub(editors, 'passwd')
    .description("change a password and end that editor's sessions")
    .argument('<username>')
    .option('--password-stdin', 'read the password from standard input')
    .action(action(lazy(commands, (m) => m.editorsPasswd)));
}

/** A platform's own subcommands (`nashra whatsapp login`), from its descriptor. */
function registerPlatformCommands({ program, registry, action }: Registrar): void {
  for (const p of registry.filter((d) => d.commands?.length)) {
    const group = sub(program, p.name).description(`${p.name}: ${p.commands!.map((c) => c.name).join(', ')}`);
    for (const c of p.commands!) {
      const command = sub(group, c.name).description(c.summary);
      for (const o of c.options ?? []) command.option(o.flags, o.description);
      command.action(
        action(async (_args, options: Record<string, string | boolean | undefined>, ctx) => {
          // `--outlet sy24 whatsapp login`: the outlet's settings (its session folder), from its prefixed variables.
          const outlet =
            options.outlet === undefined || options.outlet === MAIN_OUTLET ? undefined : await ctx.outlet();
          const env = outlet
            ? outletPlatformEnv(ctx.io.env, p, outlet.envPrefix ?? defaultEnvPrefix(outlet.slug))
            : ctx.io.env;
          return c.run(options, { ...ctx, config: await ctx.outletConfig(outlet?.slug ?? MAIN_OUTLET), env });
        }),
      );
    }
  }
}

/**
 * The whole command line, callable in-process: argv without the node and script paths, the environment and standard
 * streams in `io` (the configuration comes from `io.env` alone; no .env is read here). Resolves with the exit code;
 * never exits the process, and closes the database it opened.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let ctx: CommandContext | undefined;
  try {
    const registry = await loadRegistry(io.env);
    const program = buildProgram(
      registry,
      async (options, work) => {
        ctx = createContext(
          registry,
          { db: options.db as string | undefined, outlet: options.outlet as string | undefined },
          io,
        );
        await work(ctx);
      },
      io,
    );
    if (argv.length === 0) {
      io.stderr.write(program.helpInformation());
      return 1;
    }
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    return report(err, ctx, io);
  } finally {
    await ctx?.close();
  }
}

/** User mistakes get one line; a bug gets its stack, with secrets masked either way. */
function report(err: unknown, ctx: CommandContext | undefined, io: CliIo): number {
  // Commander has printed its own message (or the help) already.
  if (err instanceof CommanderError) return err.exitCode;
  const redact = (s: string) => ctx?.logger.redact(s) ?? s;
  // A full disk, a read-only or damaged file: the cause and the path in one line, not a stack (EX_IOERR).
  const fault =
    err instanceof StoreError && storageFault(err.cause, err.path)
      ? err
      : ctx && storageFault(err, ctx.config.databasePath);
  if (fault) {
    io.stderr.write(`nashra: ${redact(fault.message)}\n`);
    return 74;
  }
  if (
    err instanceof UserError ||
    err instanceof ConfigError ||
    err instanceof StoreError ||
    err instanceof PermissionError
  ) {
    io.stderr.write(`nashra: ${redact(err.message)}\n`);
    return err instanceof ConfigError ? 78 : 1;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  io.stderr.write(`nashra: unexpected error: ${redact(e.stack ?? e.message)}\n`);
  return 70;
}

/** True when this file is the process's entry point (`nashra`, a symlink to it, or `node dist/src/app/cli.js`). */
function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  const here = fileURLToPath(import.meta.url);
  for (const candidate of [entry, `${entry}.js`]) {
    try {
      if (realpathSync(candidate) === here) return true;
    } catch {
      /* not a file: try the next form */
    }
  }
  return false;
}

// The `nashra` binary: .env read into the process's environment first, then the command.
// A failed command ends the process at once, even when something still holds the event loop (a request still open
// when a fault stopped the run): a cron job must never pile up behind a run that printed its error and stayed. Its
// output is already written (standard output and error are synchronous on files, pipes and terminals).
if (isEntryPoint()) {
  void import('dotenv/config')
    .then(() => main(process.argv.slice(2)))
    .then((code) => {
      if (code === 0) process.exitCode = 0;
      else process.exit(code);
    });
}
