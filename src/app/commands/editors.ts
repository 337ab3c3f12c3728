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
  if (editors.length === 0) return ctx.out('no desk editors yet: nashra editors add <username>');
  ctx.out('username\toutlets\tcreated\tpassword changed');
  for (const e of editors) {
    const outlets = e.memberships.map((m) => `${m.slug}:${m.role}`).join(' ') || '(none: cannot use the desk)';
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
      () => readPassword(options.passwordStdin === true, ctx.io),
      { outlet: outlet.slug, role },
    );
    ctx.out(
      `added desk editor ${editor.username}, ${role} of ${outlet.slug}; sign in on the desk (NASHRA_WEB_PORT, or port 8080 when no platform is configured)`,
    );
  } catch (err) {
    if (err instanceof DeskAccountExistsError)
      throw new UserError(`${err.message}; change the password with nashra editors passwd ${err.username}`);
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
  ctx.out(`${r.account.username} is now ${r.role} of ${r.outlet.slug}`);
}

/** `nashra editors revoke <username> --outlet o`: its desk leaves that outlet at its next request. */
export async function editorsRevoke([name]: string[], _options: unknown, ctx: CommandContext): Promise<void> {
  const outlet = await ctx.outlet();
  const r = await removeDeskMembership(await ctx.mainNewsroom(), CLI_OPERATOR, name!, outlet.slug);
  ctx.out(`${r.account.username} no longer works in ${r.outlet.slug} (its desk leaves it at its next page)`);
}

/** `nashra editors remove <username>`: its sessions go with it. */
export async function editorsRemove([name]: string[], _options: unknown, ctx: CommandContext): Promise<void> {
  const editor = await removeDeskEditor(await ctx.mainNewsroom(), CLI_OPERATOR, name!);
  ctx.out(`removed desk editor ${editor.username} (signed out everywhere)`);
}

/** `nashra editors passwd <username> [--password-stdin]`: every session of that editor ends. */
export async function editorsPasswd(
  [name]: string[],
  options: { passwordStdin?: boolean },
  ctx: CommandContext,
): Promise<void> {
  const { account } = await changeDeskPassword(await ctx.mainNewsroom(), CLI_OPERATOR, name!, () =>
    readPassword(options.passwordStdin === true, ctx.io),
  );
  ctx.out(`changed the password of ${account.username} (signed out everywhere)`);
}

async function readPassword(fromStdin: boolean, io: CliIo): Promise<string> {
  if (fromStdin) {
    const password = (await text(io.stdin)).replace(/\r?\n$/, '');
    checkPasswordRules(password);
    return password;
  }
  if (!io.stdin.isTTY) throw new UserError('no terminal to ask for the password on: pipe it in with --password-stdin');
  const first = await askHidden('Password: ', io);
  checkPasswordRules(first);
  if ((await askHidden('Again: ', io)) !== first) throw new UserError('the two passwords differ; nothing changed');
  return first;
}

/** Reads one line from the terminal without echoing it. */
function askHidden(prompt: string, io: CliIo): Promise<string> {
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
        if (ch === '\u0003') return done(new UserError('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
