#!/usr/bin/env -S node --max-old-space-size=128
// The heap cap keeps `nashra run` near its live size: V8 on a large server otherwise lets garbage pile up to
// hundreds of MB before collecting. 128 MB is several times what a 10,000-chat broadcast keeps alive.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Help, InvalidArgumentError, Option } from 'commander';
import { ConfigError, PermissionError, UserError } from '../errors.js';
import { StoreError, storageFault } from '../store/index.js';
import { createContext, processIo, type CliIo, type CommandContext } from './context.js';
import { loadRegistry } from './platforms.js';
import type { CommandHelp, PlatformDescriptor } from '../delivery/platform.js';
import { addDeliveryOptions } from './commands/subscription-options.js';
import { MAX_SCHEDULE_AHEAD_MS } from '../text/schedule.js';
import { outletPlatformEnv } from '../config.js';
import { MAIN_OUTLET } from '../model/outlet.js';
import { defaultEnvPrefix } from '../newsroom/outlets.js';
import { catalogue, errorIn, type Catalogue } from '../i18n/index.js';
import { cliLanguage } from '../config.js';

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
/**
 * Each command's module, loaded when its command runs, so a command loads only its own code: `nashra run` not the
 * OPML and source-detection code, `nashra latest` not the run's pollers, `--help` none of them.
 */
const command = {
  backup: () => import('./commands/backup.js'),
  broadcast: () => import('./commands/broadcast.js'),
  corrections: () => import('./commands/corrections.js'),
  db: () => import('./commands/db.js'),
  editors: () => import('./commands/editors.js'),
  outlets: () => import('./commands/outlets.js'),
  inDoubt: () => import('./commands/in-doubt.js'),
  ingest: () => import('./commands/ingest.js'),
  latest: () => import('./commands/latest.js'),
  preview: () => import('./commands/preview.js'),
  reach: () => import('./commands/reach.js'),
  review: () => import('./commands/review.js'),
  run: () => import('./commands/run.js'),
  scheduled: () => import('./commands/scheduled.js'),
  sources: () => import('./commands/sources.js'),
  stats: () => import('./commands/stats.js'),
  subs: () => import('./commands/subs.js'),
  summarize: () => import('./commands/summarize.js'),
};

/** The argument parsers, refusing in the CLI's language. */
const parsers = (invalid: Catalogue['cli']['invalid']) => ({
  wholeNumber:
    (min: number, max: number) =>
    (raw: string): number => {
      // Digits only: Number() also reads «1e3», «0x10», «12.0» and « 12 » as ids, another row than the one typed.
      const n = /^\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
      if (!Number.isInteger(n) || n < min || n > max)
        throw new InvalidArgumentError(invalid.wholeNumber(min, max, raw));
      return n;
    },
  /** `nashra resend`: an article id (12), or a broadcast id as the desk shows it (#12, written b12). */
  resendId: (raw: string): string => {
    if (!/^[b#]?[1-9]\d{0,15}$/i.test(raw)) throw new InvalidArgumentError(invalid.resendId(raw));
    return raw;
  },
  /** `nashra in-doubt` takes a job's id, of any kind, as `nashra in-doubt list` shows it. */
  inDoubtId: (raw: string): string => {
    if (!/^[1-9]\d{0,15}$/.test(raw)) throw new InvalidArgumentError(invalid.inDoubtId(raw));
    return raw;
  },
});

/** What each group of commands registers itself with. */
interface Registrar {
  program: Command;
  /** The catalogue in the CLI's language (NASHRA_CLI_LANGUAGE). */
  words: Catalogue;
  /** The words a chat shows, which the help quotes («النص الكامل», «عاجل»): the Arabic catalogue's. */
  shown: Catalogue;
  label: (platform: string) => string;
  help: Catalogue['cli']['help'];
  parse: ReturnType<typeof parsers>;
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
export function buildProgram(
  registry: readonly PlatformDescriptor[],
  run: Run,
  io: CliIo = processIo(),
  words: Catalogue = catalogue('en'),
): Command {
  const help = words.cli.help;
  // A platform as the words name it: its descriptor's label (help names Telegram's chat ids, WhatsApp's replies).
  const label = (name: string) => words.chat.platform(registry.find((p) => p.name === name)?.label, name);
  // The words a chat shows, quoted by the help as a reader sees them: posts and buttons in a channel are Arabic.
  const shown = catalogue('ar');
  const titles: Record<string, string> = {
    'Usage:': help.titles.usage,
    'Arguments:': help.titles.arguments,
    'Options:': help.titles.options,
    'Global Options:': help.titles.globalOptions,
    'Commands:': help.titles.commands,
  };
  // Commander's «(choices: …, default: …)» after a description, its two words in the CLI's language.
  const withExtras = (described: string, description: string) =>
    description +
    described
      .slice(description.length)
      .replace(/\bchoices: /, help.extras.choices + ' ')
      .replace(/\bdefault: /, help.extras.default + ' ');
  const program = new Command('nashra')
    .description(help.program(registry.filter((p) => !p.local).map((p) => label(p.name))))
    .option('--db <path>', help.db)
    .option('--outlet <name>', help.outlet)
    .showSuggestionAfterError()
    .showHelpAfterError(false)
    .exitOverride()
    // Commander's own words in the CLI's language: its headings (styleTitle is called with each, subcommands inherit
    // the configuration), the help option and command, and its refusals (outputError below).
    .helpOption('-h, --help', help.helpOption)
    .helpCommand('help [command]', help.helpCommand)
    .configureHelp({
      styleTitle: (title) => titles[title] ?? title,
      optionDescription(option) {
        return withExtras(Help.prototype.optionDescription.call(this, option), option.description);
      },
      argumentDescription(argument) {
        return withExtras(Help.prototype.argumentDescription.call(this, argument), argument.description);
      },
    })
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // One line, in the same form as every other error Nashra prints.
      outputError: (text, write) =>
        write(
          `nashra: ${words.cli.commander(
            text
              .replace(/^error: /, '')
              .replace(/\s*\n\s*/g, ' ')
              .trim(),
          )}\n`,
        ),
    });
  const registrar: Registrar = {
    program,
    registry,
    words,
    shown,
    label,
    help,
    parse: parsers(words.cli.invalid),
    action: actionOf(run),
  };
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
function registerRun({ program, action, help }: Registrar): void {
  sub(program, 'run')
    .description(help.run)
    .option('--once', help.runOnce)
    .action(action(lazy(command.run, (m) => m.runCommand)));
}

/** `nashra preview` and `nashra ingest`: an article as it would be sent, and storing articles. */
function registerArticles({ program, action, help, shown }: Registrar): void {
  sub(program, 'preview')
    .description(help.preview)
    .argument('<file-or-url>', help.previewInput)
    .addOption(new Option('--platform <name>', help.previewPlatform).default('telegram'))
    .option('--json', help.previewJson)
    .action(action(lazy(command.preview, (m) => m.previewCommand)));
  sub(program, 'ingest')
    .description(help.ingest)
    .argument('<files-or-urls...>')
    .option('--source-name <name>', help.ingestSourceName(shown.post.defaultSource))
    .option('--url <url>', help.ingestUrl)
    .option('--published-at <date>', help.ingestPublishedAt)
    .action(action(lazy(command.ingest, (m) => m.ingestCommand)));
}

/** `nashra subs`: which chats receive the news, and what. */
function registerSubscriptions({ program, registry, action, help, parse, shown, label, words }: Registrar): void {
  const subs = sub(program, 'subs').description(help.subs);
  addDeliveryOptions(sub(subs, 'add').description(help.subsAdd), words.cli)
    .argument('<platform>', help.subsPlatform(registry.map((p) => p.name).join(', ')))
    .argument('<chat-id>', help.subsChat(label('telegram'), label('whatsapp')))
    .option('--topics <list>', help.subsTopics)
    .option('--exclude <list>', help.subsExclude)
    .addOption(new Option('--kind <kind>', help.subsKind).choices(['channel', 'group', 'private']))
    .option('--thread <n>', help.subsThread(label('telegram')), parse.wholeNumber(1, 2 ** 31))
    .action(action(lazy(command.subs, (m) => m.subsAdd)));
  addDeliveryOptions(sub(subs, 'set').description(help.subsSet), words.cli)
    .argument('<id>', help.id('subs list'), parse.wholeNumber(1, Number.MAX_SAFE_INTEGER))
    .option('--topics <list>', help.subsSetTopics)
    .option('--exclude <list>', help.subsSetExclude)
    .option('--source <id>', help.subsSetSource, parse.wholeNumber(1, Number.MAX_SAFE_INTEGER))
    .option('--header <text>', help.header)
    .option('--no-header', help.noHeader)
    .option('--footer <text>', help.footer)
    .option('--no-footer', help.noFooter)
    .option('--hashtags', help.hashtags)
    .option('--no-hashtags', help.noHashtags)
    .option('--source-line', help.sourceLine)
    .option('--no-source-line', help.noSourceLine)
    .option('--date', help.date)
    .option('--no-date', help.noDate)
    .option('--photo', help.photo)
    .option('--no-photo', help.noPhoto)
    .option('--full-story', help.fullStory(shown.post.fullStoryButton))
    .option('--no-full-story', help.noFullStory(shown.post.fullStoryButton))
    .addOption(
      new Option('--link-preview <size>', help.linkPreview(label('whatsapp'))).choices(['none', 'small', 'large']),
    )
    .option('--full-story-in-group', help.fullStoryInGroup(label('whatsapp')))
    .option('--no-full-story-in-group', help.noFullStoryInGroup)
    .option(
      '--default <fields>',
      help.defaults('header,footer,hashtags,source-line,date,photo,link-preview,full-story,full-story-in-group'),
    )
    .action(action(lazy(command.subs, (m) => m.subsSet)));
  sub(subs, 'list')
    .description(help.subsList)
    .action(action(lazy(command.subs, (m) => m.subsList)));
  sub(subs, 'remove')
    .description(help.subsRemove)
    .argument('<id>', help.id('subs list'), parse.wholeNumber(1, Number.MAX_SAFE_INTEGER))
    .action(action(lazy(command.subs, (m) => m.subsRemove)));
}

/** `nashra latest` (the articles to pick from), `broadcast`, `urgent` and `scheduled`. */
function registerBroadcasts({ program, action, help, parse, shown }: Registrar): void {
  sub(program, 'latest')
    .description(help.latest)
    .argument('[n]', help.latestN, parse.wholeNumber(1, 50), 5)
    .action(action(lazy(command.latest, (m) => m.latestCommand)));
  sub(program, 'broadcast')
    .description(help.broadcast)
    .argument('<article>', help.broadcastArticle)
    .option('--yes', help.yes)
    .option('--all', help.broadcastAll)
    .option('--platform <name>', help.broadcastPlatform)
    .option('--paid', help.paid)
    .option('--at <time>', help.at(SCHEDULE_DAYS))
    .action(action(lazy(command.broadcast, (m) => m.broadcastCommand)));
  sub(program, 'urgent')
    .description(help.urgent(shown.post.urgentSource))
    .argument('<text...>')
    .option('--yes', help.yes)
    .option('--paid', help.urgentPaid)
    .option('--free', help.urgentFree)
    .option('--at <time>', help.at(SCHEDULE_DAYS))
    .action(action(lazy(command.broadcast, (m) => m.urgentCommand)));

  const scheduled = sub(program, 'scheduled').description(help.scheduled);
  sub(scheduled, 'list', { isDefault: true })
    .description(help.scheduledList)
    .action(action(lazy(command.scheduled, (m) => m.scheduledList)));
  sub(scheduled, 'move')
    .description(help.scheduledMove)
    .argument('<id>', help.scheduledId)
    .argument('<time...>', help.scheduledTime)
    .action(action(lazy(command.scheduled, (m) => m.scheduledMove)));
  sub(scheduled, 'cancel')
    .description(help.scheduledCancel)
    .argument('<id>', help.scheduledId)
    .action(action(lazy(command.scheduled, (m) => m.scheduledCancel)));
}

/** `nashra correct`, `retract` and `corrections`: a story's posts after it was sent. */
function registerCorrections({ program, action, help, parse }: Registrar): void {
  sub(program, 'correct')
    .description(help.correct)
    .argument('<article>', help.articleRef)
    .option('--title <text>', help.correctTitle)
    .option('--summary <text>', help.correctSummary)
    .option('--summary-file <file>', help.correctSummaryFile)
    .option('--hashtags <list>', help.correctHashtags)
    .option('--yes', help.correctYes)
    .action(action(lazy(command.corrections, (m) => m.correctCommand)));
  sub(program, 'retract')
    .description(help.retract)
    .argument('<article>', help.articleRef)
    .option('--yes', help.retractYes)
    .action(action(lazy(command.corrections, (m) => m.retractCommand)));
  sub(program, 'corrections')
    .description(help.corrections)
    .argument('<article-id>', help.id('latest'), parse.wholeNumber(1, Number.MAX_SAFE_INTEGER))
    .action(action(lazy(command.corrections, (m) => m.correctionsCommand)));
}

/** `nashra sources`: the feeds and sites followed. */
function registerSources({ program, action, help, parse, shown, label }: Registrar): void {
  const sources = sub(program, 'sources').description(help.sources);
  sub(sources, 'add')
    .description(help.sourcesAdd)
    .argument('<url>')
    .option('--name <name>', help.sourcesName)
    .option('--interval <every>', help.sourcesInterval, '10m')
    .option('--category <name>', help.sourcesCategory)
    .option('--backfill <n>', help.sourcesBackfill, parse.wholeNumber(0, 100), 0)
    .option('--review', help.sourcesReview(shown.chat.reviewPublish, label('telegram')))
    .action(action(lazy(command.sources, (m) => m.sourcesAdd)));
  sub(sources, 'import')
    .description(help.sourcesImport)
    .argument('<file.opml>')
    .option('--interval <every>', help.sourcesImportInterval, '10m')
    .action(action(lazy(command.sources, (m) => m.sourcesImport)));
  sub(sources, 'export')
    .description(help.sourcesExport)
    .argument('[file]')
    .option('--force', help.force)
    .action(action(lazy(command.sources, (m) => m.sourcesExport)));
  sub(sources, 'list')
    .description(help.sourcesList)
    .action(action(lazy(command.sources, (m) => m.sourcesList)));
  for (const [name, description] of [
    ['remove', help.sourcesRemove],
    ['pause', help.sourcesPause],
    ['resume', help.sourcesResume],
    ['poll', help.sourcesPoll],
  ] as const) {
    sub(sources, name)
      .description(description)
      .argument('<id>', help.id('sources list'), parse.wholeNumber(1, Number.MAX_SAFE_INTEGER))
      .action(action(lazy(command.sources, (m) => m.sourcesChange(name))));
  }
  sub(sources, 'hook')
    .description(help.sourcesHook)
    .argument('<id>', help.id('sources list'), parse.wholeNumber(1, Number.MAX_SAFE_INTEGER))
    .option('--rotate', help.sourcesHookRotate)
    .option('--off', help.sourcesHookOff)
    .action(action(lazy(command.sources, (m) => m.sourcesHook)));
}

/** `nashra resend` and `nashra in-doubt`: deliveries that failed, or that a crash left in doubt. */
function registerResendAndInDoubt({ program, action, help, parse }: Registrar): void {
  sub(program, 'resend')
    .description(help.resend)
    .argument('<id>', help.resendId, parse.resendId)
    .option('--failed', help.resendFailed)
    .action(action(lazy(command.inDoubt, (m) => m.resendCommand)));

  const inDoubt = sub(program, 'in-doubt').description(help.inDoubt);
  sub(inDoubt, 'list')
    .description(help.inDoubtList)
    .action(action(lazy(command.inDoubt, (m) => m.inDoubtList)));
  for (const [name, description] of [
    ['mark-sent', help.inDoubtMarkSent],
    ['send-again', help.inDoubtSendAgain],
  ] as const) {
    sub(inDoubt, name)
      .description(description)
      .argument('<id>', help.inDoubtId, parse.inDoubtId)
      .action(action(lazy(command.inDoubt, (m) => m.inDoubtResolve(name))));
  }
}

/** `nashra review`: items held for an editor. */
function registerReview({ program, action, help, parse }: Registrar): void {
  const review = sub(program, 'review').description(help.review);
  sub(review, 'list')
    .description(help.reviewList)
    .action(action(lazy(command.review, (m) => m.reviewList)));
  for (const [name, description] of [
    ['publish', help.reviewPublish],
    ['dismiss', help.reviewDismiss],
  ] as const) {
    sub(review, name)
      .description(description)
      .argument('<article-id>', help.id('review list'), parse.wholeNumber(1, Number.MAX_SAFE_INTEGER))
      .action(action(lazy(command.review, (m) => m.reviewDecide(name))));
  }
}

/** `nashra stats` and `nashra reach`. */
function registerReports({ program, action, help }: Registrar): void {
  sub(program, 'stats')
    .description(help.stats)
    .option('--json', help.json)
    .action(action(lazy(command.stats, (m) => m.statsCommand)));
  sub(program, 'reach')
    .description(help.reach)
    .option('--since <window>', help.reachSince, '7d')
    .option('--json', help.json)
    .action(action(lazy(command.reach, (m) => m.reachCommand)));
}

/** `nashra summarize --jsonl`: the summariser alone, for the evaluation. */
function registerSummarize({ program, action, help, parse }: Registrar): void {
  sub(program, 'summarize')
    .description(help.summarize)
    .requiredOption('--jsonl', help.summarizeJsonl)
    .option('--sentences <n>', help.summarizeSentences, parse.wholeNumber(1, 20))
    .option('--max-chars <n>', help.summarizeMaxChars, parse.wholeNumber(20, 1_000_000))
    .action(action(lazy(command.summarize, (m) => m.summarizeCommand)));
}

/** `nashra backup` and `nashra db copy`: the database itself. */
function registerDatabase({ program, action, help }: Registrar): void {
  sub(program, 'backup')
    .description(help.backup)
    .argument('<file>')
    .option('--force', help.force)
    .action(action(lazy(command.backup, (m) => m.backupCommand)));
  const db = sub(program, 'db').description(help.dbGroup);
  sub(db, 'copy')
    .description(help.dbCopy)
    .requiredOption('--to <url>', help.dbCopyTo)
    .action(action(lazy(command.db, (m) => m.dbCopy)));
}

/** `nashra outlets`: the newsrooms served. */
function registerOutlets({ program, action, help, label }: Registrar): void {
  const outlets = sub(program, 'outlets').description(help.outlets);
  sub(outlets, 'list')
    .description(help.outletsList(label('whatsapp')))
    .action(action(lazy(command.outlets, (m) => m.outletsList)));
  sub(outlets, 'add')
    .description(help.outletsAdd)
    .argument('<name>', help.outletsSlug)
    .option('--name <text>', help.outletsName)
    .option('--env-prefix <PREFIX_>', help.outletsEnvPrefix)
    .action(action(lazy(command.outlets, (m) => m.outletsAdd)));
  sub(outlets, 'remove')
    .description(help.outletsRemove)
    .argument('<name>')
    .action(action(lazy(command.outlets, (m) => m.outletsRemove)));
}

/** `nashra editors`: the web desk's accounts. */
function registerEditors({ program, action, help }: Registrar): void {
  const editors = sub(program, 'editors').description(help.editors);
  sub(editors, 'add')
    .description(help.editorsAdd)
    .argument('<username>')
    .option('--password-stdin', help.passwordStdin)
    .option('--role <role>', help.editorsRole, 'editor')
    .action(action(lazy(command.editors, (m) => m.editorsAdd)));
  sub(editors, 'list')
    .description(help.editorsList)
    .action(action(lazy(command.editors, (m) => m.editorsList)));
  sub(editors, 'grant')
    .description(help.editorsGrant)
    .argument('<username>')
    .requiredOption('--role <role>', help.editorsGrantRole)
    .action(action(lazy(command.editors, (m) => m.editorsGrant)));
  sub(editors, 'revoke')
    .description(help.editorsRevoke)
    .argument('<username>')
    .action(action(lazy(command.editors, (m) => m.editorsRevoke)));
  sub(editors, 'remove')
    .description(help.editorsRemove)
    .argument('<username>')
    .action(action(lazy(command.editors, (m) => m.editorsRemove)));
  sub(editors, 'passwd')
    .description(help.editorsPasswd)
    .argument('<username>')
    .option('--password-stdin', help.passwordStdin)
    .action(action(lazy(command.editors, (m) => m.editorsPasswd)));
}

/** A platform's own subcommands (`nashra whatsapp login`), from its descriptor. */
function registerPlatformCommands({ program, registry, action, help, words }: Registrar): void {
  const said = (text: CommandHelp) => (typeof text === 'string' ? text : text(words));
  for (const p of registry.filter((d) => d.commands?.length)) {
    const group = sub(program, p.name).description(
      help.platformCommands(p.name, p.commands!.map((c) => c.name).join(', ')),
    );
    for (const c of p.commands!) {
      const command = sub(group, c.name).description(said(c.summary));
      for (const o of c.options ?? []) command.option(o.flags, said(o.description));
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
  // English until NASHRA_CLI_LANGUAGE is read: a wrong value is itself reported in English.
  let words = catalogue('en');
  try {
    words = catalogue(cliLanguage(io.env));
    const registry = await loadRegistry(io.env);
    const program = buildProgram(
      registry,
      async (options, work) => {
        ctx = createContext(
          registry,
          { db: options.db as string | undefined, outlet: options.outlet as string | undefined },
          io,
          words,
        );
        await work(ctx);
      },
      io,
      words,
    );
    if (argv.length === 0) {
      io.stderr.write(program.helpInformation());
      return 1;
    }
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    return report(err, ctx, io, words);
  } finally {
    await ctx?.close();
  }
}

/** User mistakes get one line; a bug gets its stack, with secrets masked either way. */
function report(err: unknown, ctx: CommandContext | undefined, io: CliIo, words: Catalogue): number {
  // Commander has printed its own message (or the help) already.
  if (err instanceof CommanderError) return err.exitCode;
  const redact = (s: string) => ctx?.logger.redact(s) ?? s;
  // A full disk, a read-only or damaged file: the cause and the path in one line, not a stack (EX_IOERR).
  const fault =
    (err instanceof StoreError ? storageFault(err.cause, err.path) : null) ??
    (ctx ? storageFault(err, ctx.config.databasePath) : null);
  if (fault) {
    io.stderr.write(`nashra: ${redact(errorIn(words, fault))}\n`);
    return 74;
  }
  if (
    err instanceof UserError ||
    err instanceof ConfigError ||
    err instanceof StoreError ||
    err instanceof PermissionError
  ) {
    // What the newsroom, the configuration or the database names by meaning is said in the CLI's language (a wrong
    // NASHRA_CLI_LANGUAGE in English: `words` is still English then); other messages are the CLI's already.
    io.stderr.write(`nashra: ${redact(errorIn(words, err))}\n`);
    return err instanceof ConfigError ? 78 : 1;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  io.stderr.write(`nashra: ${words.cli.unexpected}: ${redact(e.stack ?? e.message)}\n`);
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
