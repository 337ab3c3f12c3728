import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { CHROMIUM_FLAGS } from '../../bots/whatsapp/client.js';

/** Debian's Chromium (puppeteer's own download is off), or CHROME_PATH. */
export const CHROMIUM = process.env.CHROME_PATH ?? '/usr/bin/chromium';

/** A headless Chromium, with the WhatsApp client's flags, and one page at a desktop size. */
export async function openBrowser(): Promise<{ browser: Browser; page: Page }> {
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_FLAGS] });
  const page = await browser.newPage();
  await page.setViewport({ width: 1200, height: 860 });
  return { browser, page };
}
