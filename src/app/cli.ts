#!/usr/bin/env -S node --max-old-space-size=128
// The heap cap keeps `nashra run` near its live size: V8 on a large server otherwise lets garbage pile up to
// hundreds of MB before collecting. 128 MB is several times what a 10,000-chat broadcast keeps alive.
import 'dotenv/config';
import { ConfigError, UserError } from '../errors.js';
import { StoreError } from '../store/index.js';
import { createContext, type CommandContext } from './context.js';
import { parseArgs } from './args.js';

type Command = (argv: string[], ctx: CommandContext) => Promise<void>;

/** Commands load on demand: `nashra latest` must start fast and not pay for grammY or puppeteer. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  run: { summary: 'run [--once]                      poll sources and send queued deliveries', load: async () => (await import('./commands/run.js')).runCommand },
  preview: { summary: 'preview <file|url> [--platform telegram|whatsapp|plain] [--json]', load: async () => (await import('./commands/preview.js')).previewCommand },
  ingest: { summary: 'ingest <file|url>...               store articles, queue them for subscribers', load: async () => (await import('./commands/ingest.js')).ingestCommand },
  subs: { summary: 'subs add|list|remove              manage subscriptions', load: async () => (await import('./commands/subs.js')).subsCommand },
  latest: { summary: 'latest [n]                        the n newest summaries', load: async () => (await import('./commands/latest.js')).latestCommand },
  broadcast: { summary: 'broadcast <article-id|url> [--yes] queue an article for every matching subscription', load: async () => (await import('./commands/broadcast.js')).broadcastCommand },
  sources: { summary: 'sources add <url>|list|remove <id> feeds and sites to poll (add: --name --interval 10m --category --backfill N)', load: async () => (await import('./commands/sources.js')).sourcesCommand },
  stats: { summary: 'stats [--json]                    articles, subscriptions, deliveries, sources', load: async () => (await import('./commands/stats.js')).statsCommand },
  summarize: { summary: 'summarize --jsonl [--sentences N] [--max-chars C]  summaries for JSON lines on stdin', load: async () => (await import('./commands/summarize.js')).summarizeCommand },
  backup: { summary: 'backup <file>                     consistent copy of the database, safe while running', load: async () => (await import('./commands/backup.js')).backupCommand },
  editors: { summary: 'editors add <username> [--password-stdin] | list | remove <username> | passwd <username>   web desk accounts', load: async () => (await import('./commands/editors.js')).editorsCommand },
  whatsapp: { summary: 'whatsapp login [--pairing-number <phone>] | doctor   link the WhatsApp number, check Chromium and the session', load: async () => (await import('./commands/whatsapp.js')).whatsappCommand },
};

function usage(): string {
  return ['usage: nashra <command> [options]   (every command takes --db PATH)', '',
    ...Object.values(COMMANDS).map((c) => `  nashra ${c.summary}`)].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 1;
  }
  const command = COMMANDS[name];
  let ctx: CommandContext | undefined;
  try {
    if (!command) throw new UserError(`unknown command "${name}"; run nashra --help for the list`);
    // --db is read here so every command honours it; each command parses the rest itself.
    const dbIndex = rest.findIndex((a) => a === '--db' || a.startsWith('--db='));
    const dbArgs = dbIndex === -1 ? [] : rest[dbIndex]!.includes('=') ? [rest[dbIndex]!] : rest.slice(dbIndex, dbIndex + 2);
    ctx = createContext(parseArgs(dbArgs, {}));
    const commandArgs = dbIndex === -1 ? rest : rest.filter((_, i) => i < dbIndex || i >= dbIndex + dbArgs.length);
    await (await command.load())(commandArgs, ctx);
    return 0;
  } catch (err) {
    return report(err, ctx);
  } finally {
    ctx?.close();
  }
}

/** User mistakes get one line; a bug gets its stack, with secrets masked either way. */
function report(err: unknown, ctx: CommandContext | undefined): number {
  const redact = (s: string) => ctx?.logger.redact(s) ?? s;
  if (err instanceof UserError || err instanceof ConfigError || err instanceof StoreError) {
    process.stderr.write(`nashra: ${redact(err.message)}\n`);
    return err instanceof ConfigError ? 78 : 1;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  process.stderr.write(`nashra: unexpected error: ${redact(e.stack ?? e.message)}\n`);
  return 70;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
