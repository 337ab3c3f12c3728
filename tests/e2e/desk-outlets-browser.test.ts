/**
 * The desk's outlet switcher in Chromium: an editor of two outlets sees the one shown and their role in the header,
 * switches with the select and its button (the form carries its CSRF token), and the page is the other outlet's.
 * Writes docs/desk-outlets.png for the README.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer-core';
import { openBrowser } from '../helpers/browser.js';
import { addOutlet, CLI_OPERATOR, ingestArticle, setDeskMembership } from '../../src/newsroom/index.js';
import { projectRoot } from '../../src/paths.js';
import { bridgeArticle } from '../helpers/articles.js';
import { deskFixture, EDITOR, PASSWORD, startDesk, type DeskFixture, type DeskHandle } from '../helpers/desk.js';

let f: DeskFixture;
let desk: DeskHandle;
let browser: Browser;
let page: Page;
const SY24_TITLE = 'افتتاح الجسر رقم 7 في مدينة حمص';

beforeAll(async () => {
  f = await deskFixture();
  const main = f.deps.outlets.main;
  await addOutlet(main, CLI_OPERATOR, { slug: 'sy24', name: 'SY24', envPrefix: 'SY24_' });
  await setDeskMembership(main, CLI_OPERATOR, EDITOR, 'sy24', 'editor');
  const sy24 = (await f.deps.outlets.of('sy24'))!;
  await ingestArticle(sy24, CLI_OPERATOR, bridgeArticle(7));
  desk = await startDesk(f.deps, { port: 0, host: '127.0.0.1' });
  ({ browser, page } = await openBrowser());
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await desk?.close();
  await f?.cleanup();
});

const submit = (selector: string) => Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);

describe('the outlet switcher in Chromium', () => {
  it("shows the outlet and the role, and switches to the other outlet's Today", async () => {
    await page.goto(`${desk.url}/login`);
    await page.type('input[name=username]', EDITOR);
    await page.type('input[name=password]', PASSWORD);
    await submit('#login button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await page.$eval('#outlet-switch select', (el) => (el as HTMLSelectElement).value)).toBe('main');
    expect(await page.$eval('#outlet-switch', (el) => (el as HTMLElement).innerText)).toContain('مدير');
    expect(await page.$eval('.stories', (el) => (el as HTMLElement).innerText)).not.toContain(SY24_TITLE);
    await page.screenshot({
      path: join(projectRoot(), 'docs', 'desk-outlets.png'),
      clip: { x: 0, y: 0, width: 1200, height: 220 },
    });

    await page.select('#outlet-switch select', 'sy24');
    await submit('#outlet-switch button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await page.$eval('#outlet-switch select', (el) => (el as HTMLSelectElement).value)).toBe('sy24');
    expect(await page.$eval('#outlet-switch', (el) => (el as HTMLElement).innerText)).toContain('محرر');
    expect(await page.$eval('.stories', (el) => (el as HTMLElement).innerText)).toContain(SY24_TITLE);
  });
});
