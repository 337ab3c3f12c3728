import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Article } from '../model/article.js';
import type { Config } from '../config.js';
import { UserError } from '../errors.js';
import { RefusedError } from '../refusal.js';
import { notTextReason } from '../text/safety.js';
import { FetchError, fetchText } from './http.js';
import { contentUrn, NotAnArticleError, readHtml, readPlainText } from './reader.js';

const looksLikeHtml = (text: string) => /^\s*(<!doctype html|<html|<head|<body|<article|<meta)/i.test(text);

/** Reads an article from a file (plain text as scraped, or an HTML page) or from an http(s) URL. */
export async function loadArticle(input: string, config: Config): Promise<Article> {
  try {
    if (/^https?:\/\//i.test(input)) return await loadUrl(input, config);
    return await loadFile(input);
  } catch (err) {
    if (err instanceof NotAnArticleError) throw new RefusedError({ kind: 'not-an-article', input, why: err.message });
    throw err;
  }
}

async function loadFile(path: string): Promise<Article> {
  let text: string;
  try {
    if (!statSync(path).isFile()) throw new RefusedError({ kind: 'not-a-file', path });
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new RefusedError({ kind: 'file-unreadable', path, code: (err as NodeJS.ErrnoException).code ?? 'error' });
  }
  if (text.trim() === '') throw new RefusedError({ kind: 'file-empty', path });
  refuseNotText(path, text);
  if (!looksLikeHtml(text)) return readPlainText(text);
  // A saved page keeps its canonical URL when it names one; a file's own path is never a link for subscribers.
  const { url, ...article } = await readHtml(text, pathToFileURL(resolve(path)).toString());
  return url?.startsWith('file:') ? { ...article, guid: contentUrn(text) } : { ...article, url };
}

async function loadUrl(url: string, config: Config): Promise<Article> {
  let res: Awaited<ReturnType<typeof fetchText>>;
  try {
    res = await fetchText(url, { ...config.fetch, accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5' });
  } catch (err) {
    // Timeouts, HTTP errors, private addresses, oversized pages: the editor's mistake or the site's, said in one line.
    if (err instanceof FetchError) throw new RefusedError({ kind: 'fetch-failed', why: err.message });
    throw err;
  }
  if (!/html/i.test(res.contentType) && !looksLikeHtml(res.text)) {
    throw new RefusedError({ kind: 'not-a-page', url, contentType: res.contentType });
  }
  refuseNotText(url, res.text);
  return readHtml(res.text, res.url);
}

/** Random bytes, an image or a PDF would otherwise come out as a "headline" of garbage with hashtags. */
function refuseNotText(input: string, text: string): void {
  const reason = notTextReason(text);
  if (reason) throw new RefusedError({ kind: 'not-text', input, reason });
}
