import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { envDescriptions } from '../../src/config/env-schema.js';
import { PROJECT_ROOT } from '../../src/project-root.js';

// No Docker engine runs in CI, so the deployment files are checked statically against
// the repository: everything they name (variables, files, stages, scripts, services)
// must exist, and the invariants the service relies on at start-up must hold.

const read = (file: string) => readFileSync(path.join(PROJECT_ROOT, file), 'utf8');

// ---- Dockerfile: a small line parser (continuations, comments, stages) ---------------

interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}
interface Stage {
  readonly index: number;
  readonly name: string | undefined;
  readonly instructions: Instruction[];
}

function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const add = (logical: string, line: number) => {
    const [, word = '', args = ''] = /^(\S+)\s*(.*)$/s.exec(logical) ?? [];
    const keyword = word.toUpperCase();
    if (keyword === 'FROM') {
      const words = args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const name = words[1]?.toUpperCase() === 'AS' ? words[2] : undefined;
      stages.push({ index: stages.length, name, instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1)?.instructions.push({ keyword, args, line });
    } else if (keyword !== 'ARG') {
      throw new Error(`Dockerfile:${line}: ${keyword} before the first FROM`);
    }
  };
  let pending = '';
  let start = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    // Docker drops comment and blank lines, even in the middle of a continuation.
    if (line === '' || line.startsWith('#')) return;
    if (pending === '') start = i + 1;
    const continues = line.endsWith('\\');
    pending += `${pending ? ' ' : ''}${continues ? line.slice(0, -1).trim() : line}`;
    if (!continues) {
      add(pending, start);
      pending = '';
    }
  });
  if (pending) add(pending, start);
  return stages;
}

/** `--name=value` options at the start of an instruction, and what follows them. */
function options(args: string): { flags: Map<string, string>; rest: string } {
  const flags = new Map<string, string>();
  let rest = args;
  for (let m = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest); m; m = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest)) {
    flags.set(m[1] ?? '', m[2] ?? '');
    rest = rest.slice(m[0].length);
  }
  return { flags, rest };
}

/** Exec form (a JSON array) or shell form split on whitespace. */
function argv(args: string | readonly string[] | undefined): string[] {
  if (args === undefined) return [];
  if (typeof args !== 'string') return [...args];
  return args.trimStart().startsWith('[') ? (JSON.parse(args) as string[]) : args.trim().split(/\s+/);
}

interface Copy {
  readonly from: string | undefined;
  readonly sources: string[];
  readonly dest: string;
  readonly workdir: string;
  readonly line: number;
}

function copies(stage: Stage): Copy[] {
  let workdir = '/';
  const result: Copy[] = [];
  for (const i of stage.instructions) {
    if (i.keyword === 'WORKDIR') workdir = path.posix.resolve(workdir, i.args.trim());
    if (i.keyword !== 'COPY' && i.keyword !== 'ADD') continue;
    const { flags, rest } = options(i.args);
    const parts = argv(rest);
    result.push({ from: flags.get('from'), sources: parts.slice(0, -1), dest: parts.at(-1) ?? '', workdir, line: i.line });
  }
  return result;
}

const lastWorkdir = (stage: Stage) =>
  stage.instructions.filter((i) => i.keyword === 'WORKDIR').reduce((dir, i) => path.posix.resolve(dir, i.args.trim()), '/');

const globRegex = (glob: string) =>
  // eslint-disable-next-line no-control-regex -- NUL stands in for `**` while `*` is rewritten
  new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '\u0000').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]').replace(/\u0000/g, '.*')}$`);

/** Repository paths a COPY source names (a glob in the last segment is expanded). */
function contextMatches(source: string): string[] {
  const clean = path.posix.normalize(source).replace(/\/$/, '');
  if (!/[*?]/.test(clean)) return existsSync(path.join(PROJECT_ROOT, clean)) ? [clean] : [];
  const dir = path.posix.dirname(clean);
  const pattern = globRegex(path.posix.basename(clean));
  return readdirSync(path.join(PROJECT_ROOT, dir)).filter((f) => pattern.test(f)).map((f) => path.posix.join(dir, f));
}

/** Where a copied item lands: a directory's contents go to dest, a file into a dest ending in `/`. */
function landing(copy: Copy, source: string): string {
  const dest = path.posix.resolve(copy.workdir, copy.dest);
  // A context path is looked at; a path in another stage counts as a directory when it has no extension.
  const isDir =
    copy.from === undefined
      ? contextMatches(source).some((m) => statSync(path.join(PROJECT_ROOT, m)).isDirectory())
      : path.posix.extname(source) === '';
  return !isDir && /(\/|^\.)$/.test(copy.dest) ? path.posix.join(dest, path.posix.basename(source)) : dest;
}

function filesUnder(relative: string): string[] {
  const full = path.join(PROJECT_ROOT, relative);
  if (!statSync(full).isDirectory()) return [relative];
  return readdirSync(full).flatMap((f) => filesUnder(path.posix.join(relative, f)));
}

/** .dockerignore rules, anchored at the context root; the last matching rule wins. */
function isIgnored(file: string, rules: string[]): boolean {
  let ignored = false;
  for (const rule of rules) {
    const negated = rule.startsWith('!');
    const pattern = globRegex(path.posix.normalize(negated ? rule.slice(1) : rule).replace(/^\/|\/$/g, ''));
    const segments = file.split('/');
    if (segments.some((_, n) => pattern.test(segments.slice(0, n + 1).join('/')))) ignored = !negated;
  }
  return ignored;
}

/** Names an ENV instruction sets: `ENV A=1 B="x y"`, or the legacy `ENV A 1`. */
function envKeys(args: string): string[] {
  const legacy = /^([A-Za-z_]\w*)\s/.exec(args);
  if (legacy) return [legacy[1] ?? ''];
  return [...args.matchAll(/(?:^|\s)([A-Za-z_]\w*)=/g)].map((m) => m[1] ?? '');
}

// ---- docker-compose.yml ---------------------------------------------------------------

interface Service {
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, unknown> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  image?: string;
  profiles?: string[];
  restart?: unknown;
  ports?: (string | number | { host_ip?: string; published?: string | number; target?: number })[];
  logging?: { driver?: string; options?: Record<string, unknown> };
}

/** Services that run this project's image (built here), as opposed to postgres, prometheus, grafana. */
const runsProjectImage = (service: Service) => service.build !== undefined || /^detractor-sync(:|$)/.test(service.image ?? '');

/**
 * Compose's interpolation of one value: `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`,
 * `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}`. Like
 * compose, a required variable that is missing fails with its message.
 */
function interpolate(value: string, env: Record<string, string | undefined>): string {
  const syntax = /\$(?:(\$)|\{([A-Za-z_]\w*)(?:(:?)([-?+])([^}]*))?\}|([A-Za-z_]\w*))/g;
  const result = value.replace(syntax, (_, dollar?: string, braced?: string, colon?: string, op?: string, arg = '', bare?: string) => {
    if (dollar) return '$';
    const name = (braced ?? bare) as string;
    const current = env[name];
    const missing = colon ? !current : current === undefined;
    if (op === '-') return missing ? arg : (current as string);
    if (op === '+') return missing ? '' : arg;
    if (op === '?' && missing) throw new Error(`required variable ${name} is missing a value: ${arg}`);
    return current ?? '';
  });
  if (/\$\{/.test(value.replace(syntax, ''))) throw new Error(`invalid interpolation format in ${value}`);
  return result;
}

/** Every string of a parsed compose file interpolated, as compose does after reading the YAML. */
function interpolateAll<T>(node: T, env: Record<string, string | undefined>): T {
  if (typeof node === 'string') return interpolate(node, env) as T;
  if (Array.isArray(node)) return node.map((item: unknown) => interpolateAll(item, env)) as T;
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, interpolateAll(value, env)])) as T;
  }
  return node;
}

/** Every string value of a parsed YAML document. */
const allStrings = (node: unknown): string[] =>
  typeof node === 'string' ? [node] : node && typeof node === 'object' ? Object.values(node).flatMap(allStrings) : [];

/** Values for the variables compose reads from .env, as a deployment would set them. */
const COMPOSE_TEST_ENV = {
  POSTGRES_PASSWORD: 'pgTestPassword0123',
  READONLY_ROLE_PASSWORD: 'readerTestPassword0123',
  GRAFANA_ADMIN_PASSWORD: 'adminTestPassword0123',
};

/** Published ports as { hostIp, published, target } (short "ip:host:container" or long syntax). */
function publishedPorts(service: Service): { hostIp: string | undefined; published: string; target: string }[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'object') return { hostIp: port.host_ip, published: String(port.published ?? ''), target: String(port.target ?? '') };
    const parts = String(port).split(':');
    const target = parts.pop() ?? '';
    const published = parts.pop() ?? '';
    return { hostIp: parts.length > 0 ? parts.join(':') : undefined, published, target };
  });
}

const envNames = (service: Service): string[] =>
  Array.isArray(service.environment)
    ? service.environment.map((entry) => entry.split('=')[0] ?? '')
    : Object.keys(service.environment ?? {});

const envValue = (service: Service, name: string): string | undefined =>
  Array.isArray(service.environment)
    ? service.environment.find((e) => e.startsWith(`${name}=`))?.slice(name.length + 1)
    : (service.environment?.[name] as string | undefined);

// ---- the files under test ---------------------------------------------------------------

const stages = parseDockerfile(read('Dockerfile'));
const runtime = stages.at(-1) as Stage;
const runtimeOf = (keyword: string) => runtime.instructions.filter((i) => i.keyword === keyword);
// `<<: *app` merge keys are part of the compose format; yaml needs `merge` to apply them.
type Compose = { services: Record<string, Service>; volumes?: Record<string, unknown> };
const composeRaw = parseYaml(read('docker-compose.yml'), { merge: true }) as Compose;
// What compose runs: the ${...} resolved, with the .env variables a deployment sets.
const compose = interpolateAll(composeRaw, COMPOSE_TEST_ENV);
const services = Object.entries(compose.services);
const dockerignore = read('.dockerignore').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const packageScripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;

const commandsRun: [string, string[]][] = [
  ...stages.flatMap((s): [string, string[]][] => {
    const entry = s.instructions.filter((i) => i.keyword === 'ENTRYPOINT').flatMap((i) => argv(i.args));
    return s.instructions.filter((i) => i.keyword === 'CMD').map((i) => [`Dockerfile:${i.line} CMD`, [...entry, ...argv(i.args)]]);
  }),
  ...services
    .filter(([, s]) => s.command !== undefined || s.entrypoint !== undefined)
    .map(([name, s]): [string, string[]] => [`compose service ${name}`, [...argv(s.entrypoint), ...argv(s.command)]]),
];
// The Kubernetes CronJob example: its containers' commands and variables count too.
type K8sContainer = { name: string; command?: string[]; args?: string[]; env?: Array<{ name: string }> };
const cronJob = parseYaml(read('deploy/kubernetes/cronjob.yaml')) as {
  kind: string;
  spec: { concurrencyPolicy?: string; jobTemplate: { spec: { template: { spec: { restartPolicy?: string; containers: K8sContainer[] } } } } };
};
const cronContainers = cronJob.spec.jobTemplate.spec.template.spec.containers;
commandsRun.push(...cronContainers.map((c): [string, string[]] => [`kubernetes cronjob ${c.name}`, [...(c.command ?? []), ...(c.args ?? [])]]));
const nodeRuns = commandsRun.filter(([, args]) => args[0] === 'node');

describe('environment variables of the deployment files', () => {
  test('when a variable is set in docker-compose.yml or by a Dockerfile ENV, then the service knows it or it is on the allow-list', () => {
    const allowed = (name: string) => name in envDescriptions || ['NODE_ENV', 'HTTP_PORT'].includes(name) || name.startsWith('POSTGRES_');
    const fromDockerfile = stages.flatMap((s) => s.instructions.filter((i) => i.keyword === 'ENV')).flatMap((i) => envKeys(i.args));
    // The project's containers only: postgres, prometheus and grafana take their own images' variables.
    const fromCompose = services.filter(([, s]) => runsProjectImage(s)).flatMap(([, s]) => envNames(s));
    const fromCronJob = cronContainers.flatMap((c) => (c.env ?? []).map((e) => e.name));
    expect(fromDockerfile).toContain('NODE_ENV');
    expect(fromCompose).toContain('DATABASE_URL');
    expect(fromCronJob).toEqual(expect.arrayContaining(['QUESTIONPRO_API_KEY', 'DATABASE_URL', 'SYNC_SEGMENTS']));
    expect([...fromDockerfile, ...fromCompose, ...fromCronJob].filter((name) => !allowed(name))).toEqual([]);
  });
});

describe('the Kubernetes CronJob example', () => {
  test('when it runs the one-shot sync, then runs never overlap and a failed run is not retried in a loop', () => {
    expect(cronJob.kind).toBe('CronJob');
    expect(cronJob.spec.concurrencyPolicy).toBe('Forbid');
    expect(cronJob.spec.jobTemplate.spec.template.spec.restartPolicy).toBe('Never');
    expect(cronContainers.map((c) => c.command?.slice(-1)[0])).toEqual(['sync']);
  });
});

describe('docker-compose.yml', () => {
  const postgres = compose.services.postgres ?? {};
  const dbUsers = services.filter(([, s]) => envValue(s, 'DATABASE_URL') !== undefined);

  test('when a service reaches a database service through DATABASE_URL, then it starts only once that service is healthy', () => {
    expect(dbUsers.map(([name]) => name)).toContain('worker');
    for (const [name, service] of dbUsers) {
      const host = new URL(envValue(service, 'DATABASE_URL') ?? '').hostname;
      expect({ name, host, dependsOn: service.depends_on }).toMatchObject({ host: 'postgres', dependsOn: { postgres: { condition: 'service_healthy' } } });
    }
  });

  test('when a service connects to postgres, then its user, password and database are the ones postgres was initialised with', () => {
    for (const [name, service] of dbUsers) {
      const url = new URL(envValue(service, 'DATABASE_URL') ?? '');
      expect({ name, user: url.username, password: url.password, db: url.pathname.slice(1) }).toEqual({
        name,
        user: envValue(postgres, 'POSTGRES_USER'),
        password: envValue(postgres, 'POSTGRES_PASSWORD'),
        db: envValue(postgres, 'POSTGRES_DB'),
      });
    }
    // The value .env gives, not one written in the file.
    expect(envValue(postgres, 'POSTGRES_PASSWORD')).toBe(COMPOSE_TEST_ENV.POSTGRES_PASSWORD);
  });

  test('when the file is read, then no password is written in it: each comes from a variable', () => {
    const fromVariable = /^\$\{[A-Z_][A-Z0-9_]*(:?[-?][^}]*)?\}$/;
    for (const [name, service] of Object.entries(composeRaw.services)) {
      const passwords = Object.entries(Array.isArray(service.environment) ? {} : (service.environment ?? {}))
        .filter(([key]) => /PASSWORD/.test(key))
        .map(([key, value]) => [key, String(value)]);
      for (const [key, value] of passwords) expect({ name, key, value: fromVariable.test(value ?? '') }).toEqual({ name, key, value: true });
      for (const text of allStrings(service)) {
        const credentials = /:\/\/[^:/@\s]+:(\$\{[^}]*\}|[^@\s]+)@/.exec(text)?.[1];
        if (credentials !== undefined) expect({ name, password: fromVariable.test(credentials) }).toEqual({ name, password: true });
      }
    }
    expect(envValue(composeRaw.services.postgres ?? {}, 'POSTGRES_PASSWORD')).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
  });

  test('when POSTGRES_PASSWORD is not set, then compose refuses the file, naming the variable', () => {
    const { POSTGRES_PASSWORD: _unset, ...withoutPassword } = COMPOSE_TEST_ENV;
    expect(() => interpolateAll(composeRaw, withoutPassword)).toThrow(/POSTGRES_PASSWORD.*set POSTGRES_PASSWORD in \.env/);
    expect(() => interpolateAll(composeRaw, { ...COMPOSE_TEST_ENV, POSTGRES_PASSWORD: '' })).toThrow(/POSTGRES_PASSWORD/);
  });

  test('when only the core variables are set, then the file still resolves: optional profiles do not require theirs', () => {
    // Compose resolves every service, started or not: a profile's required variable would stop `docker compose up`.
    expect(() => interpolateAll(composeRaw, { POSTGRES_PASSWORD: COMPOSE_TEST_ENV.POSTGRES_PASSWORD })).not.toThrow();
  });

  test('when compose reads a variable, then .env.example lists it', () => {
    const values = allStrings(composeRaw).map((v) => v.replace(/\$\$/g, ''));
    const used = new Set(values.flatMap((v) => [...v.matchAll(/\$\{?([A-Za-z_]\w*)/g)].map((m) => m[1] ?? '')));
    const listed = new Set([...read('.env.example').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    expect([...used].filter((name) => !listed.has(name))).toEqual([]);
    expect([...used]).toEqual(expect.arrayContaining(Object.keys(COMPOSE_TEST_ENV)));
  });

  test('when a service publishes a port, then only on 127.0.0.1', () => {
    const published = services.flatMap(([name, s]) => publishedPorts(s).map((p) => ({ name, ...p })));
    expect(published).toContainEqual({ name: 'worker', hostIp: '127.0.0.1', published: '8080', target: '8080' });
    expect(published.filter((p) => p.hostIp !== '127.0.0.1')).toEqual([]);
  });

  test('when a service logs, then its log files are rotated', () => {
    for (const [name, service] of services) {
      const { driver, options = {} } = service.logging ?? {};
      expect({ name, driver }).toEqual({ name, driver: 'json-file' });
      expect({ name, maxSize: options['max-size'], maxFile: options['max-file'] }).toEqual({
        name,
        maxSize: expect.stringMatching(/^\d+[kmg]$/),
        maxFile: expect.stringMatching(/^\d+$/),
      });
    }
  });

  test('when postgres runs, then it has a pg_isready healthcheck', () => {
    expect(postgres.healthcheck?.disable).not.toBe(true);
    expect(argv(postgres.healthcheck?.test)).toContain('pg_isready');
  });

  test('when postgres stores data, then it lives on a named volume declared at top level, at the data path of its major version', () => {
    const major = Number(/:(\d+)/.exec(postgres.image ?? '')?.[1]);
    // From PostgreSQL 18 the official image keeps PGDATA under a versioned folder of /var/lib/postgresql.
    const dataPath = major >= 18 ? '/var/lib/postgresql' : '/var/lib/postgresql/data';
    const mounts = (postgres.volumes ?? []).map((v) => (typeof v === 'string' ? { source: v.split(':')[0], target: v.split(':')[1] } : v));
    const data = mounts.find((m) => m.target === dataPath);
    expect(data?.source).toMatch(/^[a-zA-Z0-9][\w.-]*$/); // a volume name, not a host path
    expect(Object.keys(compose.volumes ?? {})).toContain(data?.source);
  });

  test('when the one-shot sync is defined, then it only starts on demand and is never restarted', () => {
    const sync = compose.services.sync;
    expect(sync?.profiles).toContain('oneshot');
    // Read as YAML 1.1 too, where a bare `no` is the boolean false, not the policy "no".
    const asYaml11 = parseYaml(read('docker-compose.yml'), { version: '1.1' }) as Compose;
    expect([sync?.restart, asYaml11.services.sync?.restart]).toEqual(['no', 'no']);
  });
});

describe('commands the images run', () => {
  // The names of the commands in main.ts's COMMANDS table (`syncCommand, ...`), each named in its file
  // (`export const syncCommand = defineCommand({ name: 'sync', ...`).
  const names = new Map(
    readdirSync(path.join(PROJECT_ROOT, 'src', 'cli'))
      .filter((file) => file.endsWith('-command.ts'))
      .flatMap((file) =>
        [...read(`src/cli/${file}`).matchAll(/export const (\w+Command) = defineCommand\(\{\s+name: '([\w-]+)'/g)].map(
          (m) => [m[1], m[2]] as const,
        ),
      ),
  );
  const table = /const COMMANDS[^=]*= \[([^\]]*)\]/.exec(read('src/cli/main.ts'))?.[1] ?? '';
  const dispatched = new Set(
    table
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '')
      .map((entry) => names.get(entry) ?? `${entry} (no name found)`),
  );

  test('when the image and compose start the service, then they run it with node', () => {
    expect(nodeRuns.map(([where]) => where)).toEqual(expect.arrayContaining([expect.stringMatching(/CMD$/), 'compose service worker']));
  });

  test.each(nodeRuns)('when %s runs node, then the script is built from an existing source and the subcommand is dispatched', (_, args) => {
    const [script = '', subcommand] = args.slice(1).filter((a) => !a.startsWith('-'));
    // tsc maps src/x.ts to dist/src/x.js (tsconfig.build.json: rootDir ".", outDir "dist").
    expect(script).toMatch(/^(\.\/)?dist\/src\/.+\.js$/);
    const source = script.replace(/^(\.\/)?dist\//, '').replace(/\.js$/, '.ts');
    expect(existsSync(path.join(PROJECT_ROOT, source)) ? source : `${source} (missing)`).toBe(source);
    expect([...dispatched]).toContain(subcommand);
  });
});

describe('Dockerfile', () => {
  test('when a COPY takes files from another stage, then that stage is defined earlier', () => {
    for (const stage of stages) {
      for (const copy of copies(stage).filter((c) => c.from !== undefined)) {
        const earlier = stages.slice(0, stage.index).some((s) => s.name === copy.from || String(s.index) === copy.from);
        expect({ line: copy.line, from: copy.from, earlier }).toEqual({ line: copy.line, from: copy.from, earlier: true });
      }
    }
  });

  test('when a COPY takes files from the build context, then they exist in the repository and .dockerignore keeps them', () => {
    const sources = stages.flatMap((s) => copies(s)).filter((c) => c.from === undefined).flatMap((c) => c.sources);
    expect(sources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src', 'prisma']));
    expect(sources.filter((s) => contextMatches(s).length === 0)).toEqual([]);
    const ignored = sources.flatMap(contextMatches).flatMap(filesUnder).filter((f) => isIgnored(f, dockerignore));
    expect(ignored).toEqual([]);
  });

  test('when the runtime stage starts, then it runs as a non-root user', () => {
    const user = runtimeOf('USER').at(-1)?.args.trim().split(':')[0];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
  });

  test('when the runtime image runs, then a HEALTHCHECK probes it without curl or wget (absent from slim images)', () => {
    const check = runtimeOf('HEALTHCHECK').at(-1);
    expect(options(check?.args ?? '').rest).toMatch(/^CMD\s/);
    expect(check?.args).not.toMatch(/\b(curl|wget)\b/);
  });

  test('when the Dockerfile runs an npm script, then package.json defines it, and the stage dist/ comes from runs the build', () => {
    const runs = stages.flatMap((s) => s.instructions.filter((i) => i.keyword === 'RUN'));
    const scripts = runs.flatMap((i) => [...i.args.matchAll(/\bnpm\s+run(?:-script)?\s+(?:-\S+\s+)*([\w:.-]+)/g)].map((m) => m[1] ?? ''));
    expect(scripts.filter((s) => !(s in packageScripts))).toEqual([]);
    const distFrom = copies(runtime).find((c) => c.sources.some((s) => path.posix.basename(s) === 'dist'))?.from;
    const builder = stages.find((s) => s.name === distFrom || String(s.index) === distFrom);
    expect(builder?.instructions.some((i) => i.keyword === 'RUN' && /\bnpm\s+run\s+(?:-\S+\s+)*build\b/.test(i.args))).toBe(true);
  });

  test('when the worker starts, then package.json, node_modules, prisma/ and dist/ sit together in its working directory', () => {
    // src/project-root.ts walks up from dist/ to the folder holding package.json and prisma/.
    const workdir = lastWorkdir(runtime);
    const landed = copies(runtime).flatMap((c) => c.sources.map((s) => landing(c, s)));
    const expected = ['package.json', 'node_modules', 'prisma', 'dist'].map((item) => path.posix.join(workdir, item));
    expect(landed).toEqual(expect.arrayContaining(expected));
  });

  test('when the worker applies migrations at start, then the prisma/ the runtime image copies holds them', () => {
    const prismaCopy = copies(runtime).find((c) => c.sources.some((s) => path.posix.normalize(s).replace(/\/$/, '') === 'prisma'));
    expect(prismaCopy).toBeDefined();
    const dir = path.join(PROJECT_ROOT, 'prisma', 'migrations');
    const migrations = readdirSync(dir).filter((name) => existsSync(path.join(dir, name, 'migration.sql')));
    expect(migrations.length).toBeGreaterThan(0);
  });
});
