import { InvalidArgumentError, Option, type Command } from 'commander';
import { UserError } from '../../errors.js';
import type { Catalogue } from '../../i18n/index.js';
import { isTimeZone } from '../../text/schedule.js';
import { parseDigest, parseQuiet, parseQuietMode, type DeliveryPatch } from '../../newsroom/delivery-settings.js';

/** The delivery options as commander hands them over (each already checked by its parser below). */
export interface DeliveryOptions {
  digest?: NonNullable<DeliveryPatch['digest']>;
  urgent?: 'now' | 'digest';
  timeZone?: string;
  quiet?: DeliveryPatch['quiet'];
  quietMode?: 'silent' | 'wait';
  quietUrgent?: 'yes' | 'no';
}

/** A newsroom parser as a commander argument parser: a bad value is refused in one line before anything runs. */
const checked =
  <T>(parse: (raw: string) => T) =>
  (raw: string): T => {
    try {
      return parse(raw);
    } catch (err) {
      if (err instanceof UserError) throw new InvalidArgumentError(err.message);
      throw err;
    }
  };

/**
 * The options of a subscription's delivery (digest, quiet hours), for every command that sets them (`subs add`,
 * `subs set`): one definition, one parser. Absent options keep what the subscription had.
 */
export function addDeliveryOptions(command: Command, words: Catalogue['cli']): Command {
  const help = words.help;
  return command
    .option('--digest <when>', help.digest, checked(parseDigest))
    .addOption(new Option('--urgent <when>', help.urgentWhen).choices(['now', 'digest']))
    .option(
      '--time-zone <zone>',
      help.timeZone,
      checked((z) => {
        if (!isTimeZone(z)) throw new UserError(words.subs.unknownZone(z));
        return z;
      }),
    )
    .option('--quiet <window>', help.quiet, checked(parseQuiet))
    .option('--quiet-mode <mode>', help.quietMode, checked(parseQuietMode))
    .addOption(new Option('--quiet-urgent <yes|no>', help.quietUrgent).choices(['yes', 'no']));
}

/** What the options ask to change; undefined when none was given. */
export function deliveryPatchFrom(options: DeliveryOptions): DeliveryPatch | undefined {
  const patch: DeliveryPatch = {
    ...(options.digest ? { digest: options.digest } : {}),
    ...(options.urgent ? { urgentNow: options.urgent === 'now' } : {}),
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
    ...(options.quiet !== undefined ? { quiet: options.quiet } : {}),
    ...(options.quietMode ? { quietMode: options.quietMode } : {}),
    ...(options.quietUrgent ? { quietUrgent: options.quietUrgent === 'yes' } : {}),
  };
  return Object.keys(patch).length > 0 ? patch : undefined;
}
