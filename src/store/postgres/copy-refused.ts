import { UserError } from '../../errors.js';
import { catalogue } from '../../i18n/index.js';
import type { CopyProblem } from '../../i18n/values.js';

/**
 * `nashra db copy` refused or failed, by meaning: the CLI says `problem` in its language; the message is the English
 * one, for the logs. Its own small module, so the CLI knows it without loading PostgreSQL's client (copy.ts loads pg).
 * No value of `problem` holds a secret: the URL and PostgreSQL's words are masked before they go in.
 */
export class CopyRefusedError extends UserError {
  override name = 'CopyRefusedError';
  constructor(
    readonly problem: CopyProblem,
    options?: { cause?: unknown },
  ) {
    super(catalogue('en').cli.db.refused(problem), options);
  }
}
