import type { Config } from '../../src/config.js';
import { PermissionError, UserError } from '../../src/errors.js';
import { renderArticle } from '../../src/format/render.js';
import { catalogue } from '../../src/i18n/index.js';
import {
  cancelCorrection,
  confirmCorrection,
  confirmRetraction,
  correctionReport,
  platformLabel,
  platformRefusal,
  previewCorrection,
  previewRetraction,
  type Actor,
  type NewsroomDeps,
  type Refusal,
} from '../../src/newsroom/index.js';
import type { CorrectionTally } from '../../src/model/correction.js';
import { refusalIn } from '../../src/refusal.js';
import { normalizeArabic } from '../../src/text/arabic.js';
import { actorOf, resolveIdentity } from './identity.js';
import { YES } from './input-words.js';
import { whatsappMarkup } from './markup.js';
import type { Clock } from './pacing.js';
import type { WaClient, WaMessage } from './types.js';

const CONFIRM_WINDOW_MS = 5 * 60_000;

/** What the correction commands say: the catalogue's words (src/i18n). */
export const CORRECTION_REPLIES = catalogue('ar').replies.corrections;
const REPORT = catalogue('ar').report;

/** What the correction commands use of the commands' dependencies. */
export interface CorrectionDeps {
  config: Pick<Config, 'timeZone' | 'template'>;
  newsroom: NewsroomDeps;
  clock: Clock;
  /** How long «نعم» confirms a preview. */
  confirmWindowMs?: number;
}

type Pending =
  | { kind: 'correct'; draftId: number; token: string; expiresAt: number }
  | { kind: 'retract'; articleId: number; expiresAt: number };

/**
 * /correct and /retract for editors in a private chat, confirmed by «نعم» within 5 minutes (any other reply cancels),
 * and /corrections <id> for the report: per platform, how many posts were edited, deleted, replaced by the notice, or
 * could not be touched, with the reasons. The newsroom checks the editor list and writes the audit log.
 */
export class WhatsAppCorrections {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly deps: CorrectionDeps) {}

  /** True when the message was one of these commands, or the answer to one of their previews. */
  async handle(client: WaClient, msg: WaMessage): Promise<boolean> {
    const body = (msg.body ?? '').trim();
    const command = /^[/!](correct|retract|corrections)\b/i.exec(body)?.[1]?.toLowerCase();
    if (!command && !this.pending.has(msg.from)) return false;
    const actor = actorOf(await resolveIdentity(client, msg.from));
    try {
      if (!command) await this.decide(msg, actor);
      else if (command === 'correct') await this.correct(msg, actor, body.slice(command.length + 1));
      else if (command === 'retract') await this.retract(msg, actor, body.slice(command.length + 1).trim());
      else await this.report(msg, actor, body.slice(command.length + 1).trim());
    } catch (err) {
      if (err instanceof PermissionError) await msg.reply(catalogue('ar').replies.commands.editorsOnly);
      else if (err instanceof UserError) await msg.reply(CORRECTION_REPLIES.refused(refusalIn('ar', err)));
      else throw err;
    }
    return true;
  }

  private async correct(msg: WaMessage, actor: Actor, args: string): Promise<void> {
    const ref = /^\s*(\S*)/.exec(args)![1]!;
    const lines = args
      .trim()
      .slice(ref.length)
      .split('\n')
      .map((l) => l.trim());
    if (lines[0] === '') lines.shift();
    const [title, ...rest] = lines;
    const summary = rest.filter(Boolean);
    if (!ref || (!title && summary.length === 0)) {
      if (await this.deps.newsroom.editors.isEditor(actor))
        return void (await msg.reply(CORRECTION_REPLIES.correctUsage));
    }
    const p = await previewCorrection(this.deps.newsroom, actor, ref, {
      title: title || undefined,
      summary: summary.length ? summary : undefined,
    });
    if (!p.changed) {
      await cancelCorrection(this.deps.newsroom, actor, p.draft.id, p.draft.token);
      return void (await msg.reply(CORRECTION_REPLIES.unchanged));
    }
    this.pending.set(msg.from, {
      kind: 'correct',
      draftId: p.draft.id,
      token: p.draft.token,
      expiresAt: this.expiry(),
    });
    await msg.reply(
      CORRECTION_REPLIES.correctPreview(
        renderArticle(p.after, whatsappMarkup, this.deps.config),
        REPORT.posts(p.posts, this.label),
      ),
    );
  }

  private async retract(msg: WaMessage, actor: Actor, ref: string): Promise<void> {
    if (!ref && (await this.deps.newsroom.editors.isEditor(actor)))
      return void (await msg.reply(CORRECTION_REPLIES.retractUsage));
    const p = await previewRetraction(this.deps.newsroom, actor, ref);
    this.pending.set(msg.from, { kind: 'retract', articleId: p.article.id, expiresAt: this.expiry() });
    const queued = p.posts.reduce((n, c) => n + c.queued, 0);
    await msg.reply(CORRECTION_REPLIES.retractPreview(p.article.title, REPORT.posts(p.posts, this.label), queued));
  }

  /** The editor's next message after a preview: «نعم» in time goes ahead; anything else cancels. */
  private async decide(msg: WaMessage, actor: Actor): Promise<void> {
    const pending = this.pending.get(msg.from)!;
    this.pending.delete(msg.from);
    const yes = normalizeArabic((msg.body ?? '').trim()).replace(/[.!؟?،]+$/u, '') === YES;
    const expired = this.deps.clock.now() > pending.expiresAt;
    if (expired || !yes) {
      if (pending.kind === 'correct') await cancelCorrection(this.deps.newsroom, actor, pending.draftId, pending.token);
      return void (await msg.reply(expired ? CORRECTION_REPLIES.expired : CORRECTION_REPLIES.cancelled));
    }
    if (pending.kind === 'correct') {
      const r = await confirmCorrection(this.deps.newsroom, actor, pending.draftId, pending.token);
      if (r.kind === 'unchanged') return void (await msg.reply(CORRECTION_REPLIES.unchanged));
      if (r.kind === 'done') {
        await msg.reply(CORRECTION_REPLIES.corrected(r.queued, r.article.id));
      }
      return;
    }
    const r = await confirmRetraction(this.deps.newsroom, actor, pending.articleId);
    if (r.kind === 'already-decided') return void (await msg.reply(CORRECTION_REPLIES.alreadyRetracted));
    await msg.reply(CORRECTION_REPLIES.retracted(r.queued, r.cancelled, pending.articleId));
  }

  private async report(msg: WaMessage, actor: Actor, ref: string): Promise<void> {
    if (!(await this.deps.newsroom.editors.isEditor(actor)))
      throw new PermissionError('corrections are for editors only');
    if (!/^\d+$/.test(ref)) return void (await msg.reply(CORRECTION_REPLIES.reportUsage));
    const tallies = await correctionReport(this.deps.newsroom, Number(ref));
    const refusal = platformRefusal(this.deps.newsroom.platforms);
    await msg.reply(
      tallies.length ? tallies.map((t) => describeTally(t, this.label, refusal)).join('\n') : CORRECTION_REPLIES.none,
    );
  }

  /** Platforms by their Arabic labels (each platform's descriptor). */
  private readonly label = (platform: string): string => platformLabel(this.deps.newsroom.platforms, platform);

  private expiry(): number {
    return this.deps.clock.now() + (this.deps.confirmWindowMs ?? CONFIRM_WINDOW_MS);
  }
}

/** One platform's line of the report, in the catalogue's words: «تيليغرام (سحب): حُذف: 3 منشورات، تعذّر لمسه: منشور واحد». */
export function describeTally(t: CorrectionTally, label: (platform: string) => string, refusal?: Refusal): string {
  return CORRECTION_REPLIES.tally(
    label(t.platform),
    REPORT.kind[t.kind],
    REPORT.parts(t).join(REPORT.separator),
    REPORT.reasons(t, label, refusal),
  );
}
