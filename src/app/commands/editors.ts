import { UserError } from '../../errors.js';
import { checkUsername, hashPassword, checkPasswordRules } from '../../desk/password.js';
import { flag, parseArgs } from '../args.js';
import type { CommandContext } from '../context.js';

const USAGE = 'usage: nashra editors add <username> [--password-stdin] | editors list | editors remove <username> | editors passwd <username> [--password-stdin]';

interface EditorsArgs { action: 'add' | 'list' | 'remove' | 'passwd'; username?: string; passwordStdin: boolean }

/** All of this command's parsing, in one place. */
function parseEditorsArgs(argv: string[]): EditorsArgs {
  const [action, ...rest] = argv;
  if (action !== 'add' && action !== 'list' && action !== 'remove' && action !== 'passwd') {
    throw new UserError(action ? `unknown editors action "${action}"; ${USAGE}` : USAGE);
  }
  const args = parseArgs(rest, { flags: ['password-stdin'] });
  const username = args.positionals[0];
  if (action === 'list' ? args.positionals.length > 0 : !username || args.positionals.length > 1) throw new UserError(USAGE);
  return { action, username: username && checkUsername(username), passwordStdin: flag(args, 'password-stdin') };
}

/** `nashra editors add|list|remove|passwd`: the web desk's accounts. */
export async function editorsCommand(argv: string[], ctx: CommandContext): Promise<void> {
  const args = parseEditorsArgs(argv);
  const store = ctx.store();
  const now = Date.now();
  if (args.action === 'list') {
    const editors = store.deskEditors.list();
    if (editors.length === 0) return ctx.out('no desk editors yet: nashra editors add <username>');
    ctx.out('username\tcreated\tpassword changed');
    for (const e of editors) ctx.out(`${e.username}\t${e.createdAt.toISOString()}\t${e.passwordChangedAt.toISOString()}`);
    return;
  }
  const username = args.username!;
  if (args.action === 'remove') {
    if (!store.deskEditors.remove(username)) throw new UserError(`no desk editor "${username}" (see nashra editors list)`);
    store.audit.record('cli', 'cli', 'desk.editor.remove', { username }, now);
    return ctx.out(`removed desk editor ${username} (signed out everywhere)`);
  }
  const existing = store.deskEditors.find(username);
  if (args.action === 'add' && existing) throw new UserError(`desk editor "${username}" already exists; change the password with nashra editors passwd ${username}`);
  if (args.action === 'passwd' && !existing) throw new UserError(`no desk editor "${username}" (see nashra editors list)`);
  const hash = await hashPassword(await readPassword(args.passwordStdin));
  if (args.action === 'add') {
    store.deskEditors.add(username, hash, now);
    store.audit.record('cli', 'cli', 'desk.editor.add', { username }, now);
    return ctx.out(`added desk editor ${username}; sign in on the desk (NASHRA_WEB_PORT)`);
  }
  store.transaction(() => {
    store.deskEditors.setPassword(username, hash, now);
    store.deskSessions.removeAllFor(existing!.id);
  });
  store.audit.record('cli', 'cli', 'desk.editor.passwd', { username }, now);
  ctx.out(`changed the password of ${username} (signed out everywhere)`);
}

async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin) {
    let text = '';
    for await (const chunk of process.stdin) text += String(chunk);
    const password = text.replace(/\r?\n$/, '');
    checkPasswordRules(password);
    return password;
  }
  if (!process.stdin.isTTY) throw new UserError('no terminal to ask for the password on: pipe it in with --password-stdin');
  const first = await askHidden('Password: ');
  checkPasswordRules(first);
  if ((await askHidden('Again: ')) !== first) throw new UserError('the two passwords differ; nothing changed');
  return first;
}

/** Reads one line from the terminal without echoing it. */
function askHidden(prompt: string): Promise<string> {
  process.stdout.write(prompt);
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (err?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stdout.write('\n');
      if (err) reject(err); else resolve(value);
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
