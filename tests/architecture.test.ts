/**
 * The layout's rules, checked on the source itself: read every import statement and fail when a rule is broken, so
 * the architecture the README describes stays true.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

interface SourceFile { path: string; text: string; code: string; imports: string[] }

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : full.endsWith('.ts') ? [full] : [];
  });
}

/** Comments removed (a comment may name a platform or quote SQL to explain; code may not). */
const stripComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

function read(folder: string): SourceFile[] {
  return walk(join(ROOT, folder)).map((full) => {
    const text = readFileSync(full, 'utf8');
    const imports = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"`;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)]
      .map((m) => m[1] ?? m[2]!)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => relative(ROOT, resolve(dirname(full), spec)));
    return { path: relative(ROOT, full), text, code: stripComments(text), imports };
  });
}

const src = read('src');
const bots = read('bots');
const inFolder = (f: SourceFile, folder: string) => f.path.startsWith(`${folder}/`);
const broken = (files: SourceFile[], rule: (f: SourceFile) => string[]) => files.flatMap((f) => rule(f).map((why) => `${f.path}: ${why}`));

describe('architecture', () => {
  it('finds the source it checks', () => {
    expect(src.length).toBeGreaterThan(50);
    expect(src.find((f) => f.path === 'src/newsroom/broadcasts.ts')?.imports).toContain('src/newsroom/actor.js');
  });

  it('text, summary and format use no store, no newsroom, no delivery and no platform', () => {
    const pure = src.filter((f) => ['src/text', 'src/summary', 'src/format'].some((d) => inFolder(f, d)));
    expect(pure.length).toBeGreaterThan(10);
    expect(broken(pure, (f) => f.imports.filter((i) => /^(src\/(store|newsroom|delivery|app|ingest)|bots)\//.test(i)))).toEqual([]);
  });

  it('only src/app imports bots/: the core reaches a platform through the registry', () => {
    expect(broken(src.filter((f) => !inFolder(f, 'src/app')), (f) => f.imports.filter((i) => i.startsWith('bots/')))).toEqual([]);
  });

  it('the core never names a platform in its code', () => {
    // The reader drops share-button words («WhatsApp», «Telegram») from scraped pages: text, not a platform.
    const allowed = new Set(['src/ingest/reader.ts']);
    const core = src.filter((f) => !inFolder(f, 'src/app') && !allowed.has(f.path));
    expect(broken(core, (f) => [...f.code.matchAll(/['"`][^'"`\n]*\b(telegram|whatsapp)\b/gi)].map((m) => `names ${m[1]}`))).toEqual([]);
  });

  it('nothing outside src/store contains SQL', () => {
    const sql = /\b(SELECT\s[\s\S]{0,200}?\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX)|PRAGMA\s+\w+)\b/;
    const outside = [...src.filter((f) => !inFolder(f, 'src/store')), ...bots];
    expect(broken(outside, (f) => (sql.test(f.code) ? ['contains SQL'] : []))).toEqual([]);
    expect(broken(outside, (f) => f.imports.filter((i) => i.includes('better-sqlite3')))).toEqual([]);
  });

  it('the store returns domain types: no snake_case row type is exported from it', () => {
    const store = src.filter((f) => inFolder(f, 'src/store'));
    expect(broken(store, (f) => [...f.code.matchAll(/export (?:interface|type) (\w*Row)\b/g)].map((m) => `exports ${m[1]}`))).toEqual([]);
  });

  it('the desk and the CLI commands import nothing from src/store: they read and write through the newsroom', () => {
    // The wiring (src/app/platforms.ts, run.ts, context.ts, cli.ts, desk.ts, health.ts) opens the store and hands it on.
    const doors = src.filter((f) => inFolder(f, 'src/desk') || inFolder(f, 'src/app/commands'));
    expect(doors.length).toBeGreaterThan(20);
    expect(broken(doors, (f) => f.imports.filter((i) => i.startsWith('src/store/')))).toEqual([]);
    // Nor do they reach into the store they are handed: `newsroom.store.x` is a read or a write around the newsroom.
    expect(broken(doors, (f) => [...f.code.matchAll(/\bstore(?:\(\))?\.\w+/g)].map((m) => `uses ${m[0]}`))).toEqual([]);
  });

  it('no import cycle between the desk\'s files', () => {
    const desk = src.filter((f) => inFolder(f, 'src/desk'));
    const edges = new Map(desk.map((f) => [f.path, f.imports.map((i) => i.replace(/\.js$/, '.ts')).filter((i) => i.startsWith('src/desk/'))]));
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const next of edges.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of edges.keys()) visit(file, []);
    expect(edges.get('src/desk/server.ts')).toContain('src/desk/routes.ts');
    expect(cycles).toEqual([]);
  });

  it('a platform is one folder: bots/<platform> imports no other platform', () => {
    expect(broken(bots, (f) => {
      const own = f.path.split('/')[1];
      return f.imports.filter((i) => i.startsWith('bots/') && i.split('/')[1] !== own);
    })).toEqual([]);
  });
});
