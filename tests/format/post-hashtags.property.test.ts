/**
 * Property: the topics line follows its rule for any hashtags, including those the formatter keeps as they are
 * without its three replace passes (one #, then letters, marks and digits with inner underscores). The reference is
 * the rule written out: clean the tag, drop the leading #s, turn each run of other characters into «_», trim «_» at
 * both ends, put one # back, keep each tag once in first-seen order; Telegram joins them with spaces, WhatsApp shows
 * them as words joined by « · »; a topic that is not Arabic is isolated. A failing seed reproduces.
 */
import { describe, expect, it } from 'vitest';
import { formatPost, type Template } from '../../src/format/post.js';
import { detectLanguage } from '../../src/text/language.js';
import { cleanText, decodeLeftoverEntities } from '../../src/text/safety.js';
import { telegramMarkup } from '../../bots/telegram/markup.js';
import { whatsappMarkup } from '../../bots/whatsapp/markup.js';
import { seededRandom } from '../helpers/child-run.js';

const PIECES = [
  '#',
  '#',
  '##',
  '_',
  '__',
  ' ',
  '-',
  '.',
  '،',
  '&amp;',
  '&',
  '<',
  '*',
  '\u200F',
  '\u00A0',
  '\uD800',
  '😀',
  '\u{1D400}',
  'داعش',
  'البادية',
  'مُحَمَّدٌ',
  '٣',
  'SY24',
  'U',
  'é',
  'e\u0301',
  '\u0301',
  '7',
  'ß',
  '中文',
];

const hashtagOf = (random: () => number): string => {
  let tag = '';
  for (let i = Math.floor(random() * 7); i > 0; i--) tag += PIECES[Math.floor(random() * PIECES.length)];
  return tag;
};

function topicsByRule(hashtags: string[], asWords: boolean): string | undefined {
  const tags: string[] = [];
  for (const hashtag of hashtags) {
    const body = decodeLeftoverEntities(cleanText(hashtag))
      .replace(/^#+/, '')
      .replace(/[^\p{L}\p{M}\p{N}_]+/gu, '_')
      .replace(/^_+|_+$/g, '');
    if (body && !tags.includes(`#${body}`)) tags.push(`#${body}`);
  }
  if (tags.length === 0) return undefined;
  const topics = asWords ? tags.map((tag) => tag.slice(1).split('_').join(' ')) : tags;
  return (
    '\u200F' +
    topics.map((topic) => (detectLanguage(topic) === 'ar' ? topic : `\u2068${topic}\u2069`)).join(asWords ? ' · ' : ' ')
  );
}

describe('the topics line', () => {
  const onlyTopics: Template = { showDate: false, showSource: false, showLink: false, showHashtags: true };

  it('holds each cleaned, normalised hashtag once, in order, as hashtags on Telegram and as words on WhatsApp', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const random = seededRandom(seed);
      const hashtags = Array.from({ length: Math.floor(random() * 5) }, () => hashtagOf(random));
      if (random() < 0.3 && hashtags.length > 0) hashtags.push(hashtags[0]!);
      const post = { title: 'عنوان', summary: [], source: '', hashtags };
      for (const [markup, asWords] of [
        [telegramMarkup, false],
        [whatsappMarkup, true],
      ] as const) {
        const topics = topicsByRule(hashtags, asWords);
        const expected = topics === undefined ? undefined : markup.text(topics);
        const lines = formatPost(post, markup, { template: onlyTopics }).split('\n\n');
        expect(lines.length > 1 ? lines.at(-1) : undefined, `seed ${seed}: ${JSON.stringify(hashtags)}`).toBe(expected);
      }
    }
  });
});
