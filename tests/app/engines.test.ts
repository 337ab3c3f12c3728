/**
 * `npm install` on the Node version package.json promises warns of no package (EBADENGINE): every package the lock
 * installs accepts Node 20. cookie 2 and content-disposition 3 (through @fastify/cookie 11.1.1+, fastify's
 * light-my-request 6.8+ and @fastify/static 10.1.4+) want Node 22, so those three are held where they do not.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const read = (file: string) => JSON.parse(readFileSync(join(ROOT, file), 'utf8'));

describe('engines', () => {
  it('every package in package-lock.json runs on the Node versions package.json names', () => {
    const promised: string = read('package.json').engines.node;
    expect(promised).toBe('>=20');
    // Node 20's last line (vitest wants ^20.19), and the running one when it is newer.
    const versions = ['20.19.0', process.versions.node].filter((v) => semver.satisfies(v, promised));
    const lock = read('package-lock.json') as {
      packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
    };
    const refused = Object.entries(lock.packages).flatMap(([path, p]) => {
      const wants = Array.isArray(p.engines) ? undefined : p.engines?.node;
      if (!path || !wants) return [];
      return versions
        .filter((v) => !semver.satisfies(v, wants))
        .map((v) => `${path.replace(/^.*node_modules\//, '')}@${p.version} wants node ${wants}, not ${v}`);
    });
    expect(refused).toEqual([]);
  });
});
