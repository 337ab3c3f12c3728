import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { projectRoot } from '../src/paths.js';

export interface NewsArticle {
  id: number;
  title: string;
  author: string;
  content: string;
  url: string;
}

/** The 200 SaudiNewsNet articles kept for evaluation (eval/data/news, CC BY-NC-SA 4.0, research use). */
export function newsArticles(): NewsArticle[] {
  const path = join(projectRoot(), 'eval/data/news/saudinewsnet-sample-200.jsonl');
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as NewsArticle);
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export const msSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

/** Signs in to a desk built in this process (Fastify's inject) and returns the session's cookie header. */
export async function deskSession(app: FastifyInstance, username: string, password: string): Promise<string> {
  const login = await app.inject({ method: 'GET', url: '/login' });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(login.body)![1]!;
  const csrfCookie = String(login.headers['set-cookie']).split(';')[0]!;
  const signedIn = await app.inject({
    method: 'POST',
    url: '/login',
    headers: { cookie: csrfCookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: csrf, username, password }).toString(),
  });
  return `${csrfCookie}; ${String(signedIn.headers['set-cookie']).split(';')[0]}`;
}
