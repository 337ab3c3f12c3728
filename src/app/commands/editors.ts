import { text } from 'node:stream/consumers';
import type { ReadStream } from 'node:tty';
import { UserError } from '../../errors.js';
import {
  addDeskEditor,
  changeDeskPassword,
  checkPasswordRules,
  CLI_OPERATOR,
  DeskAccountExistsError,
  listDeskEditors,
  removeDeskEditor,
  removeDeskMembership,
  setDeskMembership,
} from '../../newsroom/index.js';
import type { DeskRole } from '../../model/outlet.js';
import type { CliIo, CommandContext } from '../context.js';

/** `nashra editors list`: the web desk's accounts, each with its outlets and role in each (`main:admin sy24:editor`). */
export async function editorsList(_args: string[], _options: unknown, ctx: CommandContext): Promise<void> {
  const editors = await listDeskEditors(await ctx.mainNewsroom(), CLI_OPERATOR);
  const words = ctx.words.cli.editors;
  if (editors.length === 0) return ctx.out(words.none);
  ctx.out(words.heading.join('\t'));
  for (const e of editors) {
    const outlets = e.memberships.map((m) => `${m.slug}:${m.role}`).join(' ') || words.noOutlet;
    ctx.out(`${e.username}\t${outlets}\t${e.createdAt.toISOString()}\t${e.passwordChangedAt.toISOString()}`);
  }
}

/**
 * `nashra editors add <username> [--outlet o] [--role admin|editor] [--password-stdin]`: the password is asked twice
 * on a terminal, once the name is known to be free. The outlet is chosen first: with several and none named, nothing
 * is asked.
 */
export async function editorsAdd(
  [name]: string[],
  options: { passwordStdin?: boolean; role?: string },
  ctx: CommandContext,
): Promise<void> {
  try {
    const outlet = await ctx.outlet();
    const role = (options.role ?? 'editor') as DeskRole;
    const editor = await addDeskEditor(
      await ctx.mainNewsroom(),
      CLI_OPERATOR,
      name!,
      () => readPassword(options.passwordStdin === true, ctx),
      { outlet: outlet.slug, role },
    );
    ctx.out(ctx.words.cli.editors.added(editor.username, roleWord(ctx, role), outlet.slug));
  } catch (err) {
    if (err instanceof DeskAccountExistsError)
      throw new UserError(ctx.words.cli.editors.exists(err.message, err.username));
    throw err;
  }
}

/** `nashra editors grant <username> --outlet o --role admin|editor`: a new membership, or a new role in it. */
export async function editorsGrant([name]: string[], options: { role: string }, ctx: CommandContext): Promise<void> {
  const outlet = await ctx.outlet();
  const r = await setDeskMembership(
    await ctx.mainNewsroom(),
    CLI_OPERATOR,
    name!,
    outlet.slug,
    options.role as DeskRole,
  );
  ctx.out(ctx.words.cli.editors.granted(r.account.username, roleWord(ctx, r.role), r.outlet.slug));
}

/** `nashra editors revoke <username> --outlet o`: its desk leaves that outlet at its next request. */
export async function editorsRevoke([name]: string[], _options: unknown, ctx: CommandContext): Promise<void> {
  const outlet = await ctx.outlet();
  const r = await removeDeskMembership(await ctx.mainNewsroom(), CLI_OPERATOR, name!, outlet.slug);
  ctx.out(ctx.words.cli.editors.revoked(r.account.username, r.outlet.slug));
}

/** `nashra editors remove <username>`: its sessions go with it. */
export async function editorsRemove([name]: string[], _options: unknown, ctx: CommandContext): Promise<void> {
  const editor = await removeDeskEditor(await ctx.mainNewsroom(), CLI_OPERATOR, name!);
  ctx.out(ctx.words.cli.editors.removed(editor.username));
}

/** `nashra editors passwd <username> [--password-stdin]`: every session of that editor ends. */
export async function editorsPasswd(
  [name]: string[],
  options: { passwordStdin?: boolean },
  ctx: CommandContext,
): Promise<void> {
  const { account } = await changeDeskPassword(await ctx.mainNewsroom(), CLI_OPERATOR, name!, () =>
    readPassword(options.passwordStdin === true, ctx),
  );
  ctx.out(ctx.words.cli.editors.passwd(account.username));
}

/** A desk role as the desk names it («admin», «مدير»). */
const roleWord = (ctx: CommandContext, role: DeskRole): string => ctx.words.desk.outlet.roles[role];

async function readPassword(fromStdin: boolean, ctx: CommandContext): Promise<string> {
  const { io } = ctx;
  const words = ctx.words.cli.editors;
  if (fromStdin) {
    const password = (await text(io.stdin)).replace(/\r?\n$/, '');
    checkPasswordRules(password);
    return password;
  }
  if (!io.stdin.isTTY) throw new UserError(words.noTerminal);
  const first = await askHidden(words.password, io, ctx.words.cli.cancelledNothingChanged);
  checkPasswordRules(first);
  if ((await askHidden(words.again, io, ctx.words.cli.cancelledNothingChanged)) !== first)
    throw new UserError(words.differ);
  return first;
}

/** Reads one line from the terminal without echoing it; Ctrl-C refuses with `cancelled`. */
function askHidden(prompt: string, io: CliIo, cancelled: string): Promise<string> {
  io.stdout.write(prompt);
  // Only asked on a terminal (readPassword checks isTTY): the stream is a tty.ReadStream.
  const stdin = io.stdin as ReadStream;
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (err?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      io.stdout.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new UserError(cancelled));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
