/**
 * The layout's rules, checked on the source itself: read every import statement and fail when a rule is broken, so
 * the architecture the README describes stays true.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

interface SourceFile {
  path: string;
  text: string;
  code: string;
  imports: string[];
}

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
    const imports = [
      ...text.matchAll(
        /(?:^|\n)\s*(?:import|export)[^'"`;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
      ),
    ]
      .map((m) => m[1] ?? m[2]!)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => relative(ROOT, resolve(dirname(full), spec)));
    return { path: relative(ROOT, full), text, code: stripComments(text), imports };
  });
}

const src = read('src');
const bots = read('bots');
const inFolder = (f: SourceFile, folder: string) => f.path.startsWith(`${folder}/`);
const broken = (files: SourceFile[], rule: (f: SourceFile) => string[]) =>
  files.flatMap((f) => rule(f).map((why) => `${f.path}: ${why}`));

describe('architecture', () => {
  it('finds the source it checks', () => {
    expect(src.length).toBeGreaterThan(50);
    expect(src.find((f) => f.path === 'src/newsroom/broadcasts.ts')?.imports).toContain('src/newsroom/actor.js');
  });

  it('text, summary, format and the full story use no store, no newsroom, no delivery and no platform', () => {
    const pure = src.filter((f) => ['src/text', 'src/summary', 'src/format', 'src/story'].some((d) => inFolder(f, d)));
    expect(pure.length).toBeGreaterThan(10);
    expect(
      broken(pure, (f) => f.imports.filter((i) => /^(src\/(store|newsroom|delivery|app|ingest)|bots)\//.test(i))),
    ).toEqual([]);
  });

  it('only src/app imports bots/: the core reaches a platform through the registry', () => {
    expect(
      broken(
        src.filter((f) => !inFolder(f, 'src/app')),
        (f) => f.imports.filter((i) => i.startsWith('bots/')),
      ),
    ).toEqual([]);
  });

  it('the core never names a platform in its code', () => {
    // The reader drops share-button words («WhatsApp», «Telegram») from scraped pages: text, not a platform.
    const allowed = new Set(['src/ingest/reader.ts']);
    const core = src.filter((f) => !inFolder(f, 'src/app') && !allowed.has(f.path));
    expect(
      broken(core, (f) => [...f.code.matchAll(/['"`][^'"`\n]*\b(telegram|whatsapp)\b/gi)].map((m) => `names ${m[1]}`)),
    ).toEqual([]);
  });

  it('nothing outside src/store contains SQL', () => {
    const sql =
      /\b(SELECT\s[\s\S]{0,200}?\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX)|PRAGMA\s+\w+)\b/;
    const outside = [...src.filter((f) => !inFolder(f, 'src/store')), ...bots];
    expect(broken(outside, (f) => (sql.test(f.code) ? ['contains SQL'] : []))).toEqual([]);
    expect(broken(outside, (f) => f.imports.filter((i) => i.includes('better-sqlite3')))).toEqual([]);
  });

  it('the store returns domain types: no snake_case row type is exported from it', () => {
    const store = src.filter((f) => inFolder(f, 'src/store'));
    expect(
      broken(store, (f) => [...f.code.matchAll(/export (?:interface|type) (\w*Row)\b/g)].map((m) => `exports ${m[1]}`)),
    ).toEqual([]);
  });

  it('the desk and the CLI commands import nothing from src/store: they read and write through the newsroom', () => {
    // The wiring (src/app/platforms.ts, run.ts, context.ts, cli.ts, desk.ts, health.ts) opens the store and hands it on.
    const doors = src.filter((f) => inFolder(f, 'src/desk') || inFolder(f, 'src/app/commands'));
    expect(doors.length).toBeGreaterThan(20);
    expect(broken(doors, (f) => f.imports.filter((i) => i.startsWith('src/store/')))).toEqual([]);
    // Nor do they reach into the store they are handed: `newsroom.store.x` is a read or a write around the newsroom.
    expect(broken(doors, (f) => [...f.code.matchAll(/\bstore(?:\(\))?\.\w+/g)].map((m) => `uses ${m[0]}`))).toEqual([]);
  });

  it("ingest imports nothing from src/store, and the newsroom's sources slice reaches the database only through the ports", () => {
    // The ports (src/ports) are types over the model only: the newsroom, ingest and the store's adapter import them.
    const ports = src.filter((f) => inFolder(f, 'src/ports'));
    expect(ports.length).toBeGreaterThan(0);
    expect(
      broken(ports, (f) => f.imports.filter((i) => !i.startsWith('src/model/') && !i.startsWith('src/ports/'))),
    ).toEqual([]);
    const ingest = src.filter((f) => inFolder(f, 'src/ingest'));
    expect(ingest.length).toBeGreaterThan(5);
    expect(broken(ingest, (f) => f.imports.filter((i) => i.startsWith('src/store/')))).toEqual([]);
    // Sources, OPML and the intake: no table reached and no transaction closure (`store.x`); units of work on `tx`.
    const slice = src.filter((f) =>
      ['src/newsroom/sources.ts', 'src/newsroom/opml.ts', 'src/newsroom/intake.ts'].includes(f.path),
    );
    expect(slice).toHaveLength(3);
    expect(broken(slice, (f) => [...f.code.matchAll(/\bstore(?:\(\))?\.\w+/g)].map((m) => `uses ${m[0]}`))).toEqual([]);
    expect(broken(slice, (f) => f.imports.filter((i) => i.startsWith('src/store/')))).toEqual([]);
  });

  it("the newsroom's subscriptions slice (subscriptions, their delivery settings) reaches the database only through the ports", () => {
    const slice = src.filter((f) =>
      ['src/newsroom/subscriptions.ts', 'src/newsroom/delivery-settings.ts'].includes(f.path),
    );
    expect(slice).toHaveLength(2);
    // No table reached and no transaction closure (`store.x`, `deps.store`); units of work on `tx`, reads on `repos`.
    expect(
      broken(slice, (f) =>
        [...f.code.matchAll(/\bstore(?:\(\))?\.\w+|\bdeps\.store\b|'store'/g)].map((m) => `uses ${m[0]}`),
      ),
    ).toEqual([]);
    expect(broken(slice, (f) => f.imports.filter((i) => i.startsWith('src/store/')))).toEqual([]);
    expect(slice.every((f) => /\.uow\.run\(/.test(f.code))).toBe(true);
  });

  it("the newsroom's corrections slice (corrections, retractions, their words) reaches the database only through the ports", () => {
    const slice = src.filter((f) =>
      ['src/newsroom/corrections.ts', 'src/newsroom/correction-words.ts'].includes(f.path),
    );
    expect(slice).toHaveLength(2);
    // No table reached and no transaction closure (`store.x`, `deps.store`); units of work on `tx`, reads on `repos`.
    expect(
      broken(slice, (f) =>
        [...f.code.matchAll(/\bstore(?:\(\))?\.\w+|\bdeps\.store\b|'store'/g)].map((m) => `uses ${m[0]}`),
      ),
    ).toEqual([]);
    expect(broken(slice, (f) => f.imports.filter((i) => i.startsWith('src/store/')))).toEqual([]);
    expect(/\.uow\.run\(/.test(slice.find((f) => f.path === 'src/newsroom/corrections.ts')!.code)).toBe(true);
  });

  it("the newsroom's broadcasts slice reaches the database only through the ports", () => {
    const slice = src.filter((f) => f.path === 'src/newsroom/broadcasts.ts');
    expect(slice).toHaveLength(1);
    // No table reached and no transaction closure (`store.x`); every write a unit of work on `tx`.
    expect(broken(slice, (f) => [...f.code.matchAll(/\bstore(?:\(\))?\.\w+/g)].map((m) => `uses ${m[0]}`))).toEqual([]);
    expect([...slice[0]!.code.matchAll(/\.uow\.run\(/g)]).toHaveLength(9);
    // The Store is handed on only to what another slice converts: the chats' waits (chatWaits).
    expect(
      broken(slice, (f) =>
        [...f.code.matchAll(/(\w+)\(deps\.store\b/g)]
          .map((m) => m[1]!)
          .filter((fn) => !['chatWaits'].includes(fn))
          .map((fn) => `hands the store to ${fn}`),
      ),
    ).toEqual([]);
    expect(broken(slice, (f) => [...f.code.matchAll(/\bdeps\.store\b(?!,)/g)].map(() => 'reads deps.store'))).toEqual(
      [],
    );
  });

  it("the newsroom's articles slice (storing, routing, ingest, edits, reviews, the intake) reaches the database only through the ports", () => {
    const files = [
      'src/newsroom/pipeline.ts',
      'src/newsroom/ingest-article.ts',
      'src/newsroom/edit-article.ts',
      'src/newsroom/review.ts',
      'src/newsroom/intake.ts',
    ];
    const slice = src.filter((f) => files.includes(f.path));
    expect(slice).toHaveLength(files.length);
    expect(
      broken(slice, (f) =>
        [...f.code.matchAll(/\bstore(?:\(\))?\.\w+|\bdeps\.store\b|'store'/g)].map((m) => `uses ${m[0]}`),
      ),
    ).toEqual([]);
    expect(broken(slice, (f) => f.imports.filter((i) => i.startsWith('src/store/')))).toEqual([]);
    // The pipeline runs on the unit its caller opened (`tx`); every action opens its one unit.
    expect(slice.filter((f) => f.path !== 'src/newsroom/pipeline.ts').every((f) => /\buow\.run\(/.test(f.code))).toBe(
      true,
    );
  });

  it("the newsroom's editors slice (editors, desk accounts, sessions, backup) reaches the database only through the ports", () => {
    const slice = src.filter((f) =>
      ['src/newsroom/desk-accounts.ts', 'src/newsroom/backup.ts', 'src/newsroom/actor.ts'].includes(f.path),
    );
    expect(slice).toHaveLength(3);
    // actor.ts keeps the synchronous audit(store, …) helper until the slices that still call it are converted.
    const code = (f: SourceFile) =>
      f.path === 'src/newsroom/actor.ts'
        ? f.code.replace(/export function audit\(store: Store[\s\S]*?\n}\n/, '')
        : f.code;
    expect(
      broken(slice, (f) =>
        [...code(f).matchAll(/\bstore(?:\(\))?\.\w+|\bdeps\.store\b|'store'/g)].map((m) => `uses ${m[0]}`),
      ),
    ).toEqual([]);
    expect(
      broken(
        slice.filter((f) => f.path !== 'src/newsroom/actor.ts'),
        (f) => f.imports.filter((i) => i.startsWith('src/store/')),
      ),
    ).toEqual([]);
    expect(/\.uow\.run\(/.test(slice.find((f) => f.path === 'src/newsroom/desk-accounts.ts')!.code)).toBe(true);
  });

  it("only the wiring (src/app) and the store's adapter (src/store) use the Store class: everything else goes through the ports", () => {
    const usesStore = (f: SourceFile) =>
      f.imports.some((i) => i.startsWith('src/store/')) ||
      /\bstore(?:\(\))?\.\w+|\bdeps\.store\b|'store'|\bStore\b/.test(f.code);
    const outside = [...src, ...bots].filter((f) => !inFolder(f, 'src/app') && !inFolder(f, 'src/store'));
    expect(outside.filter(usesStore).map((f) => f.path)).toEqual([]);
    // The check itself finds what it looks for.
    expect(usesStore({ path: 'probe.ts', text: '', code: 'deps.store.jobs.next()', imports: [] })).toBe(true);
  });

  it('every requireEditor, isEditor and editors.on is awaited: a promise is always truthy, so `!isEditor(…)` would let anyone in', () => {
    // The declarations (`function requireEditor(`, `async isEditor(actor`) are not calls; the ports and tables are synchronous or typed.
    const declaration = /\b(?:function|async|private|public|static)\s+(?:async\s+)?(?:requireEditor|isEditor)\(/;
    const calls = (f: SourceFile) =>
      f.code
        .split('\n')
        .filter((line) => !declaration.test(line))
        .flatMap((line) =>
          [...line.matchAll(/(\bawait\s+)?[\w.]*\b(requireEditor|isEditor|editors\.on)\(/g)]
            .filter((m) => !m[1])
            .map((m) => `${m[0]} not awaited`),
        );
    const checked = [...src, ...bots].filter((f) => !inFolder(f, 'src/store') && !inFolder(f, 'src/ports'));
    expect(broken(checked, calls)).toEqual([]);
    // The check itself finds what it looks for.
    const probe = (code: string) => calls({ path: 'probe.ts', text: code, code, imports: [] });
    expect(
      probe(
        'if (!deps.editors.isEditor(actor)) return;\nrequireEditor(deps, actor, "x");\nfor (const id of deps.newsroom.editors.on(P)) {}',
      ),
    ).toHaveLength(3);
    expect(
      probe(
        'if (!(await deps.editors.isEditor(actor))) return;\nawait requireEditor(deps, actor, "x");\nasync isEditor(actor: Actor) {',
      ),
    ).toEqual([]);
  });

  it("the newsroom's read queries (queries, search, topics) reach the database only through the ports", () => {
    const slice = src.filter((f) =>
      ['src/newsroom/queries.ts', 'src/newsroom/search.ts', 'src/newsroom/topics.ts'].includes(f.path),
    );
    expect(slice).toHaveLength(3);
    expect(broken(slice, (f) => f.imports.filter((i) => i.startsWith('src/store/')))).toEqual([]);
    // Reads on `deps.data.repos`; nothing may use `deps.store`.
    expect(
      broken(slice, (f) =>
        [...f.code.matchAll(/\bstore(?:\(\))?\.\w+|\bdeps\.store\b|'store'/g)].map((m) => `uses ${m[0]}`),
      ),
    ).toEqual([]);
  });

  it("the newsroom's outbox slice (resend, in-doubt verdicts, outbox queries, waits, digests, statistics) reaches the database only through the ports", () => {
    const files = ['deliveries', 'outbox-queries', 'waiting', 'digests', 'stats'].map((n) => `src/newsroom/${n}.ts`);
    const slice = src.filter((f) => files.includes(f.path));
    expect(slice).toHaveLength(files.length);
    expect(
      broken(slice, (f) =>
        [...f.code.matchAll(/\bstore(?:\(\))?\.\w+|\bdeps\.store\b|'store'/g)].map((m) => `uses ${m[0]}`),
      ),
    ).toEqual([]);
    expect(broken(slice, (f) => f.imports.filter((i) => i.startsWith('src/store/')))).toEqual([]);
    // Its writes (resend, a verdict, a digest's closing and rebuilding) are units of work.
    expect(
      slice
        .filter((f) => /\.uow\.run\(/.test(f.code))
        .map((f) => f.path)
        .sort(),
    ).toEqual(['src/newsroom/deliveries.ts', 'src/newsroom/digests.ts']);
  });

  it('the delivery worker (src/delivery) reaches the outbox only through the ports: no store, no table, its batches units of work', () => {
    const delivery = src.filter((f) => inFolder(f, 'src/delivery'));
    expect(delivery.map((f) => f.path).sort()).toEqual(['src/delivery/platform.ts', 'src/delivery/worker.ts']);
    expect(broken(delivery, (f) => f.imports.filter((i) => i.startsWith('src/store/')))).toEqual([]);
    expect(
      broken(delivery, (f) =>
        [...f.code.matchAll(/\bstore(?:\(\))?\.\w+|\bStore\b|\.transaction\(/g)].map((m) => `uses ${m[0]}`),
      ),
    ).toEqual([]);
    expect(delivery.find((f) => f.path === 'src/delivery/worker.ts')!.code).toMatch(/\.uow\.run\(/);
  });

  it('the feed parser and the HTML reader are loaded in one place, on first use: nothing imports them at start-up', () => {
    // About 330 files and 0.5–0.8 s of CPU a start (src/ingest/parsers.ts): a static import anywhere would bring them
    // back into every `nashra run`. A type-only import costs nothing at run time.
    const parsers = /^(feedsmith|fast-xml-parser|linkedom|htmlparser2|@mozilla\/readability)(\/|$)/;
    const staticImports = (f: SourceFile) =>
      [...f.code.matchAll(/(?:^|\n)\s*(import|export)(?!\s+type\b)[^'"`;]*?from\s*['"]([^'"]+)['"]/g)]
        .map((m) => m[2]!)
        .filter((spec) => parsers.test(spec));
    expect(broken([...src, ...bots], (f) => staticImports(f).map((spec) => `imports ${spec}`))).toEqual([]);
    const loading = [...src, ...bots].filter((f) =>
      [...f.code.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].some((m) => parsers.test(m[1]!)),
    );
    expect(loading.map((f) => f.path)).toEqual(['src/ingest/parsers.ts']);
    // The check itself finds what it looks for.
    const probe = (code: string) => staticImports({ path: 'probe.ts', text: code, code, imports: [] });
    expect(
      probe(
        "import { parseHTML } from 'linkedom';\nimport type { Opml } from 'feedsmith';\nimport { x } from './y.js';",
      ),
    ).toEqual(['linkedom']);
  });

  it('a platform is one folder: bots/<platform> imports no other platform', () => {
    expect(
      broken(bots, (f) => {
        const own = f.path.split('/')[1];
        return f.imports.filter((i) => i.startsWith('bots/') && i.split('/')[1] !== own);
      }),
    ).toEqual([]);
  });
});

/** Import graph of src/ and bots/, file to file (`.ts` paths), type-only imports included: a cycle of types is still a cycle. */
const graph = new Map([...src, ...bots].map((f) => [f.path, f.imports.map((i) => i.replace(/\.js$/, '.ts'))]));

/** Strongly connected components of more than one node (Tarjan): each is a cycle, or several sharing files. */
function cycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!edges.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** src/<folder> or bots/<platform>; a file directly under src/ (config.ts, errors.ts) is its own. */
const topFolder = (path: string) => path.split('/').slice(0, 2).join('/');

describe('architecture: imports go one way', () => {
  it('the cycle finder finds a cycle, through type-only imports too', () => {
    expect(
      cycles(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
          ['d', ['a']],
        ]),
      ),
    ).toEqual([['a', 'b', 'c']]);
    const typeOnly = read('tests/fixtures/architecture-cycle');
    expect(cycles(new Map(typeOnly.map((f) => [f.path, f.imports.map((i) => i.replace(/\.js$/, '.ts'))])))).toEqual([
      ['tests/fixtures/architecture-cycle/a.ts', 'tests/fixtures/architecture-cycle/b.ts'],
    ]);
  });

  it('no import cycle between top folders (src/<folder>, bots/<platform>)', () => {
    const folders = new Map<string, Set<string>>();
    const why = new Map<string, string>();
    for (const [file, imports] of graph) {
      for (const target of imports) {
        const [from, to] = [topFolder(file), topFolder(target)];
        if (from === to || !graph.has(target)) continue;
        folders.set(from, (folders.get(from) ?? new Set()).add(to));
        why.set(`${from} ${to}`, `${file} -> ${target}`);
      }
    }
    const found = cycles(new Map([...folders].map(([k, v]) => [k, [...v]])));
    // Each cycle with one import that makes each of its folder edges, so the message says where to cut.
    expect(
      found.map(
        (c) =>
          `${c.join(' ↔ ')}: ${c
            .flatMap((a) => c.map((b) => why.get(`${a} ${b}`)))
            .filter(Boolean)
            .join('; ')}`,
      ),
    ).toEqual([]);
  });

  it('no import cycle between files in src/ and bots/', () => {
    expect(cycles(graph).map((c) => c.join(', '))).toEqual([]);
  });

  it('ingest fetches and reads; the newsroom decides: src/ingest imports nothing from src/newsroom (its intake is passed in)', () => {
    expect(
      broken(
        src.filter((f) => inFolder(f, 'src/ingest')),
        (f) => f.imports.filter((i) => i.startsWith('src/newsroom/')),
      ),
    ).toEqual([]);
  });

  it('bots/ imports nothing from src/store: a platform reads and writes through the newsroom', () => {
    expect(broken(bots, (f) => f.imports.filter((i) => i.startsWith('src/store/')))).toEqual([]);
    // Nor reaches it another way (the newsroom's dependencies hold the store: `deps.newsroom.store.…` is a write around it).
    expect(broken(bots, (f) => [...f.code.matchAll(/\bstore\b/g)].map(() => 'names the store'))).toEqual([]);
  });
});
