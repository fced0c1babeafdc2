// The structure the README promises, checked on the source: layers point one way, and only the requests
// table's module writes requests and their events.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config/index.ts';

function sources(dir: string): string[] {
  return readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => path.relative(PROJECT_ROOT, path.join(e.parentPath, e.name)));
}

const FILES = [...sources('src'), ...sources('workers')];

/** Imports that exist at run time (`import type` is erased by the compiler). */
function valueImports(file: string): string[] {
  const text = readFileSync(path.join(PROJECT_ROOT, file), 'utf8');
  return [...text.matchAll(/^import\s+(?!type\s)[^;]*?from\s+'(\.[^']+)'/gms)].map((m) => path.join(path.dirname(file), m[1] as string));
}

function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    if (state.get(n) === 'done') return null;
    if (state.get(n) === 'open') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'open');
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      const c = visit(m);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return null;
  };
  for (const n of graph.keys()) {
    const c = visit(n);
    if (c) return c;
  }
  return null;
}

describe('layers', () => {
  const graph = new Map(FILES.map((f) => [f, valueImports(f)]));

  it('no module imports itself back through others', () => {
    expect(findCycle(graph)).toBeNull();
  });

  it('no layer imports itself back through others (notify and requests point one way)', () => {
    // A layer is a folder of src with its subfolders (web/routes is part of web); the files at the top of
    // src (app, errors, log) are each a layer of their own.
    const layer = (f: string): string => (path.dirname(f) === 'src' ? f : f.split('/').slice(0, 2).join('/'));
    const folders = new Map<string, string[]>();
    for (const [f, deps] of graph) folders.set(layer(f), [...(folders.get(layer(f)) ?? []), ...deps.map(layer).filter((d) => d !== layer(f))]);
    expect(findCycle(folders)).toBeNull();
  });

  it('notify renders from data it is given: it reaches neither the requests store nor its actions', () => {
    const offending = FILES.filter((f) => f.startsWith('src/notify/')).flatMap((f) =>
      (graph.get(f) ?? []).filter((m) => /^src\/requests\/(store|actions|replies|threading)\.ts$/.test(m)).map((m) => `${f} -> ${m}`),
    );
    expect(offending).toEqual([]);
  });

  it('only requests/store.ts writes requests and request events, and only requests/actions.ts calls its status writer', () => {
    const writes = FILES.filter((f) => f !== 'src/requests/store.ts').filter((f) =>
      /(UPDATE\s+requests\b|INSERT\s+INTO\s+(requests|request_events)\b)/i.test(readFileSync(path.join(PROJECT_ROOT, f), 'utf8')),
    );
    expect(writes).toEqual([]);
    const setters = FILES.filter((f) => /\bsetStatus\(/.test(readFileSync(path.join(PROJECT_ROOT, f), 'utf8')));
    expect(setters.sort()).toEqual(['src/requests/actions.ts', 'src/requests/store.ts']);
  });

  it('no stage writes another stage\'s hand-off: only the parse stage leaves a message waiting to be opened', () => {
    const callers = FILES.filter((f) => /\bawaitOpening\(/.test(readFileSync(path.join(PROJECT_ROOT, f), 'utf8')));
    // The desk's call log is an intake that writes its parsed fields itself and opens the request in the same
    // request handler: it hands off to no stage.
    expect(callers.sort()).toEqual(['src/intake/store.ts', 'src/web/routes/log-call.ts', 'workers/parse.ts']);
  });
});
