import { describe, expect, it } from 'vitest';
import { classifyOpener } from '../../src/summary/openers.js';

/**
 * openers.ts finds a sentence's first word by reading code units against its own list of white space, in place of
 * /^\S+/: the list must be exactly what /\s/ matches, or a sentence would be cut at another place.
 */
describe('classifyOpener, words split as /\\s/ splits them', () => {
  const units = Array.from({ length: 0x10000 }, (_, code) => String.fromCharCode(code)).filter(
    (ch) => !/[\ud800-\udfff]/.test(ch),
  );

  it('ends the first word at every white space /\\s/ matches, and keeps that space', () => {
    const spaces = units.filter((ch) => /\s/.test(ch));
    expect(spaces.length).toBeGreaterThan(20);
    for (const space of spaces) {
      const sentence = `وقال${space}وزير الصحة إن المستشفى جاهز.`;
      expect(classifyOpener(sentence, true), JSON.stringify(space)).toEqual({
        kind: 'rewritable',
        text: `قال${space}وزير الصحة إن المستشفى جاهز.`,
      });
    }
  });

  it('does not end the first word at a character /\\s/ does not match', () => {
    for (const glue of ['\u200b', '\u180e', '\u00ad', '_', '-']) {
      expect(classifyOpener(`وقال${glue}وزير الصحة إن المستشفى جاهز.`, true), JSON.stringify(glue)).toEqual({
        kind: 'free',
      });
    }
  });

  it('takes a comma or colon glued to the first word off before the connective test', () => {
    for (const mark of ['،', ',', ':']) {
      expect(classifyOpener(`كما${mark} أكد الوزير أن العمل مستمر.`, true)).toEqual({
        kind: 'rewritable',
        text: 'أكد الوزير أن العمل مستمر.',
      });
    }
  });
});
