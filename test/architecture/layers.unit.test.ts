import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { PROJECT_ROOT } from '../../src/project-root.js';

/**
 * The shape of src/, checked on every test run: the folders form layers, each importing
 * only the layers below it (never a peer, never one above), no files import each other
 * in a circle (type-only imports included), and SQL statements live under src/db.
 * docs/development.md ("Layout") describes the same layers.
 */
const LAYERS: ReadonlyArray<readonly string[]> = [
  ['cli'],
  ['app', 'bench'],
  ['observability', 'scheduler', 'notify', 'terminal'],
  ['sync'],
  ['budget', 'runs', 'docs'],
  ['db'],
  ['questionpro', 'config', 'sim'],
  ['lists', 'logging'],
  ['errors.ts', 'project-root.ts', 'generated'],
];

const SRC = path.join(PROJECT_ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The top folder (or file) of src/ a file belongs to. */
const unitOf = (file: string) => path.relative(SRC, file).split(path.sep)[0]!;

const rankOf = (unit: string) => {
  const rank = LAYERS.findIndex((layer) => layer.includes(unit));
  if (rank < 0) throw new Error(`src/${unit} is in no layer of test/architecture/layers.unit.test.ts: add it`);
  return rank;
};

/** Relative imports (static, dynamic, re-exports; `import type` too) of a file, as absolute paths of .ts files. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)].map((m) => m[1]!);
  return specifiers.map((s) => path.resolve(path.dirname(file), s.replace(/\.js$/, '.ts')));
}

const files = sourceFiles(SRC).filter((f) => unitOf(f) !== 'generated');
const graph = new Map(files.map((f) => [f, importsOf(f)]));

describe('the layers of src/', () => {
  test('when a file imports another folder, then that folder is on a lower layer', () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      for (const target of targets) {
        const [from, to] = [unitOf(file), unitOf(target)];
        if (from !== to && rankOf(from) >= rankOf(to)) wrong.push(`${path.relative(SRC, file)} -> ${path.relative(SRC, target)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test('when imports are followed from file to file, then none comes back to where it started', () => {
    const circles: string[] = [];
    // Tarjan's strongly connected components: a component of more than one file is a circle.
    let index = 0;
    const order = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const visit = (file: string) => {
      order.set(file, index);
      low.set(file, index++);
      stack.push(file);
      onStack.add(file);
      for (const target of graph.get(file) ?? []) {
        if (!graph.has(target)) continue;
        if (!order.has(target)) {
          visit(target);
          low.set(file, Math.min(low.get(file)!, low.get(target)!));
        } else if (onStack.has(target)) low.set(file, Math.min(low.get(file)!, order.get(target)!));
      }
      if (low.get(file) === order.get(file)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(path.relative(SRC, member));
        } while (member !== file);
        if (component.length > 1) circles.push(component.sort().join(' <-> '));
      }
    };
    for (const file of graph.keys()) if (!order.has(file)) visit(file);
    expect(circles).toEqual([]);
  });
});

/** Where SQL may be written besides src/db: the benchmark, the simulator, the example queries of docs/data-model.md. */
const SQL_ALLOWED = ['db', 'bench', 'sim', 'generated'];
const SQL_ALLOWED_FILES = ['docs/example-queries.ts'];
const SQL_STATEMENT =
  /\b(?:SELECT\s[\s\S]{0,400}?\bFROM\s|SELECT\s+[a-z_]+\(|INSERT\s+INTO\s|UPDATE\s+[\w".]+\s+(?:AS\s+\w+\s+)?SET\s|DELETE\s+FROM\s|(?:CREATE|ALTER|DROP)\s+(?:TEMP\s+|OR\s+REPLACE\s+)?(?:TABLE|INDEX|VIEW|ROLE|SCHEMA|FUNCTION|TRIGGER)\s|GRANT\s+\w+\s+ON\s|LOCK\s+TABLE\s|pg_(?:try_)?advisory)/;

describe('SQL', () => {
  test('when a file outside src/db (the benchmark, the simulator and the example queries aside) is read, then it holds no SQL statement', () => {
    const holders = files
      .filter((f) => !SQL_ALLOWED.includes(unitOf(f)) && !SQL_ALLOWED_FILES.includes(path.relative(SRC, f)))
      .filter((f) => SQL_STATEMENT.test(readFileSync(f, 'utf8').replace(/^\s*(?:\/\/|\*|\/\*).*$/gm, '')))
      .map((f) => path.relative(SRC, f));
    expect(holders).toEqual([]);
  });

  test('when the detector reads statements of src/db, then it recognises them (it can fail)', () => {
    const statements = files.filter((f) => unitOf(f) === 'db' && SQL_STATEMENT.test(readFileSync(f, 'utf8')));
    expect(statements.length).toBeGreaterThan(5);
  });
});

describe('the test tiers', () => {
  test('when a test file is named, then its name says its tier (unit, db or e2e), so one of the jest projects runs it', () => {
    const tests = readdirSync(path.join(PROJECT_ROOT, 'test'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.test.ts'))
      .map((entry) => path.relative(PROJECT_ROOT, path.join(entry.parentPath, entry.name)));
    expect(tests.length).toBeGreaterThan(50);
    expect(tests.filter((file) => !/\.(unit|db|e2e)\.test\.ts$/.test(file))).toEqual([]);
  });
});
