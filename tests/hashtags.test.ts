import { describe, expect, it } from 'vitest';
import { sy24Article as sy24Fixture } from './helpers/sy24.js';
import { normalizeArabic } from '../src/text/arabic.js';
import { hashtags } from '../src/summary/hashtags.js';

const sy24Article = () => sy24Fixture({ keepByline: false });
const TAG_SHAPE = /^#[\p{L}\p{N}]+(?:_[\p{L}\p{N}]+)*$/u;

describe('hashtags', () => {
  it('finds the SY24 article’s central names', () => {
    const tags = hashtags(sy24Article());
    expect(tags).toContain('#البادية_السورية');
    expect(tags).toContain('#داعش');
    expect(tags.length).toBeLessThanOrEqual(4);
  });

  it('takes a glued preposition off a place noun («بريف حمص» → #ريف_حمص_الشرقي) but not off other words', () => {
    expect(hashtags(sy24Article())).toContain('#ريف_حمص_الشرقي');
    const text = { title: 'بريطانيا تعلن موقفها', paragraphs: ['قالت بريطانيا إن موقفها ثابت.', 'وأكدت بريطانيا ذلك مجددا.', 'ونقلت بريطانيا رسالة.'] };
    expect(hashtags(text)).toContain('#بريطانيا');
  });

  it('puts the article’s categories first, cleaned', () => {
    const tags = hashtags({ ...sy24Article(), categories: ['أخبار سوريا', 'تقاريرُ ـ خاصة'] });
    expect(tags.slice(0, 2)).toEqual(['#أخبار_سوريا', '#تقارير_خاصة']);
    expect(tags).toHaveLength(4);
    expect(tags[2]).toBe('#البادية_السورية');
  });

  it('returns at most max tags, shaped like channel hashtags, without duplicates', () => {
    const tags = hashtags({ ...sy24Article(), categories: ['سوريا', 'سوريا', 'البادية السورية'] }, 3);
    expect(tags).toEqual(['#سوريا', '#البادية_السورية', '#داعش']);
    for (const tag of hashtags(sy24Article())) expect(tag).toMatch(TAG_SHAPE);
    const keys = tags.map(normalizeArabic);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('drops stopword-only, numeric and empty categories', () => {
    expect(hashtags({ title: '', paragraphs: [], categories: ['في', '2015', '«»', 'اقتصاد'] })).toEqual(['#اقتصاد']);
  });

  it('is deterministic', () => {
    expect(hashtags(sy24Article())).toEqual(hashtags(sy24Article()));
  });
});
