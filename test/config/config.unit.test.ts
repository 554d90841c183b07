import { describe, expect, test } from '@jest/globals';
import { loadRoleConfig, loadStatusConfig } from '../../src/config/command-configs.js';
import { loadConfig, secretsOf } from '../../src/config/config.js';
import { envDescriptions, type EnvName } from '../../src/config/env-schema.js';
import { ConfigError } from '../../src/errors.js';

const minimal = { QUESTIONPRO_API_KEY: 'k', SYNC_SEGMENTS: '999' };

function problemsOf(env: Record<string, string>): Array<{ variable: string; message: string }> {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  test('when only the required variables are set, then every default applies', () => {
    const config = loadConfig(minimal);
    expect(config.questionpro).toEqual({
      apiKey: 'k',
      baseUrl: 'https://api.questionpro.com/a/api/v2',
      timeoutMs: 30_000,
      maxResponseBytes: 64 * 1_048_576,
      pageSize: 100,
      rateLimitPerMinute: 250,
      rateWindowMs: 60_000,
    });
    expect(config.sync).toEqual({
      segments: [999],
      statuses: [0],
      maxPasses: 3,
      confirmPass: true,
      concurrency: 4,
      verifyIntervalSeconds: 86_400,
      openStatuses: [0],
      statusIntervalSeconds: {},
    });
    expect(config.budget).toEqual({ calls: undefined, period: 'month', periodStartDay: 1 });
    expect(config.schedule).toEqual({ cron: '*/15 * * * *', timezone: 'UTC', runOnStart: true });
    expect(config.retry).toEqual({ retries: 5, minDelayMs: 1_000, maxDelayMs: 60_000 });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.migrations).toEqual({
      allowMismatch: false,
      lockTimeoutMs: 2_000,
      statementTimeoutSeconds: 300,
      maxWaitSeconds: 600,
    });
    expect(config.logLevel).toBe('info');
    expect(config.retentionDays).toBe(90);
    expect(Object.isFrozen(config)).toBe(true);
  });

  test.each([
    ['eu', 'https://api.questionpro.eu/a/api/v2'],
    ['ca', 'https://api.questionpro.ca/a/api/v2'],
    ['sg', 'https://api.questionpro.sg/a/api/v2'],
    ['au', 'https://api.questionpro.au/a/api/v2'],
    ['ae', 'https://api.questionpro.ae/a/api/v2'],
  ])('when QUESTIONPRO_ENV is %s, then the base URL is that datacenter', (env, url) => {
    expect(loadConfig({ ...minimal, QUESTIONPRO_ENV: env }).questionpro.baseUrl).toBe(url);
  });

  test('when QUESTIONPRO_BASE_URL is set, then it overrides the datacenter (trailing slash removed)', () => {
    const config = loadConfig({
      ...minimal,
      QUESTIONPRO_ENV: 'eu',
      QUESTIONPRO_BASE_URL: 'https://api.surveyanalytics.com/a/api/v2/',
    });
    expect(config.questionpro.baseUrl).toBe('https://api.surveyanalytics.com/a/api/v2');
  });

  test('when lists have spaces and repeats, then they are trimmed and deduplicated', () => {
    const config = loadConfig({ ...minimal, SYNC_SEGMENTS: ' 101, 102 ,101', SYNC_STATUSES: '0,1' });
    expect(config.sync).toMatchObject({ segments: [101, 102], statuses: [0, 1] });
  });

  test('when required variables are missing, then each is named', () => {
    const problems = problemsOf({});
    expect(problems.map((p) => p.variable).sort()).toEqual(['QUESTIONPRO_API_KEY', 'SYNC_SEGMENTS']);
    expect(problems.every((p) => p.message === 'is required')).toBe(true);
  });

  test.each([
    ['QUESTIONPRO_ENV', 'mars', /one of com, eu, ca, sg, au, ae/],
    ['QUESTIONPRO_BASE_URL', 'ftp://x', /http\(s\) URL/],
    ['SYNC_SEGMENTS', '101,abc', /comma-separated list of segment IDs/],
    ['SYNC_STATUSES', '-1', /comma-separated list of status codes/],
    // Out of what the columns hold (segment_id bigint read exactly in JS, status integer).
    ['SYNC_STATUSES', '0,3000000000', /3000000000 is out of range: status codes must be between 0 and 2147483647/],
    [
      'SYNC_SEGMENTS',
      '99999999999999999999',
      /99999999999999999999 is out of range: segment IDs must be between 1 and 9007199254740991/,
    ],
    ['SYNC_SEGMENTS', '0', /0 is out of range/],
    // Plain http would send the api-key in clear text across the network.
    ['QUESTIONPRO_BASE_URL', 'http://api.questionpro.com/a/api/v2', /clear text: use https:\/\//],
    ['QUESTIONPRO_BASE_URL', 'http://10.0.0.5:8080/a/api/v2', /clear text/],
    ['HTTP_MAX_RESPONSE_BYTES', '10', /at least 1024/],
    ['SYNC_VERIFY_INTERVAL', 'hourly', /duration such as 0, 90s, 30m, 6h or 1d/],
    ['SYNC_STATUS_INTERVALS', '1=often', /status=duration pairs such as "1=6h,2=1d", got "1=often"/],
    ['API_CALL_BUDGET', '0', /at least 1/],
    ['RETENTION_DAYS', '-1', /expected a whole number between 0 and 36500/],
    ['RETENTION_DAYS', '90d', /expected a whole number between 0 and 36500/],
    ['RETENTION_DAYS', '36501', /at most 36500/],
    ['API_BUDGET_PERIOD', 'week', /day or month/],
    ['API_BUDGET_PERIOD_START_DAY', '31', /at most 28/],
    ['SYNC_PAGE_SIZE', '0', /at least 1/],
    ['SYNC_PAGE_SIZE', 'ten', /whole number/],
    ['SYNC_CRON', 'every day', /cron expression/],
    ['SYNC_TIMEZONE', 'Mars/Olympus', /IANA time zone/],
    ['SYNC_RUN_ON_START', 'maybe', /true or false/],
    ['HTTP_TIMEOUT_MS', '5', /at least 100/],
    ['SYNC_MAX_PASSES', '0', /at least 1/],
    ['SYNC_CONFIRM_PASS', 'sometimes', /true or false/],
    ['API_RATE_LIMIT_PER_MIN', '0', /at least 1/],
    ['API_RATE_WINDOW_SECONDS', '0', /at least 1/],
    ['RETRY_ATTEMPTS', '100', /at most 20/],
    ['DATABASE_URL', 'mysql://x', /postgres/],
    ['LOG_LEVEL', 'loud', /./],
    ['SYNC_SEGMENT_NAMES', '101 Retail EU', /expected a whole number before "=" in "101 Retail EU"/],
    ['SYNC_SEGMENT_NAMES', '101=Retail;101=Online', /101 is named twice in "101=Online"/],
    ['SYNC_SEGMENT_NAMES', '101=', /expected a name after "="/],
    ['SYNC_SEGMENT_NAMES', '0=Nothing', /0 is out of range/],
    ['SYNC_SEGMENT_NAMES', `101=${'x'.repeat(201)}`, /longer than 200 characters/],
    ['SYNC_STATUS_LABELS', '3000000000=huge', /3000000000 is out of range/],
    ['REPORT_TIMEZONE', 'Mars/Olympus', /IANA time zone/],
    ['DATABASE_SCHEMA', 'My Schema', /lower-case PostgreSQL schema name/],
    // The webhook's path is its token: plain http would hand it to anyone on the way.
    ['NOTIFY_WEBHOOK_URL', 'http://hooks.slack.com/services/T1/B2/token', /webhook's token in clear text: use https:\/\//],
    ['NOTIFY_WEBHOOK_URL', 'http://10.0.0.5:8065/hooks/abc', /clear text/],
    ['NOTIFY_WEBHOOK_URL', 'hooks.slack.com/services/x', /expected an https URL/],
    ['NOTIFY_WEBHOOK_URL', 'ftp://example.com/hook', /expected an https URL/],
  ])('when %s is %p, then start-up fails naming it', (variable, value, message) => {
    const problems = problemsOf({ ...minimal, [variable]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.variable).toBe(variable);
    expect(problems[0]?.message).toMatch(message);
  });

  test.each(['http://127.0.0.1:4010/a/api/v2', 'http://localhost:4010/a/api/v2', 'http://[::1]:4010/a/api/v2'])(
    'when QUESTIONPRO_BASE_URL is plain http to this machine (%s), then it is accepted',
    (url) => {
      expect(loadConfig({ ...minimal, QUESTIONPRO_BASE_URL: url }).questionpro.baseUrl).toBe(url);
    },
  );

  test.each([
    'https://hooks.slack.com/services/T1/B2/token',
    'http://127.0.0.1:9000/hook',
    'http://localhost:9000/hook',
    'http://[::1]:9000/hook',
  ])('when NOTIFY_WEBHOOK_URL is https, or plain http to this machine (%s), then it is accepted', (url) => {
    expect(loadConfig({ ...minimal, NOTIFY_WEBHOOK_URL: url }).notifyWebhookUrl).toBe(url);
  });

  test('when NOTIFY_WEBHOOK_URL is unset or blank, then nothing is notified', () => {
    expect(loadConfig(minimal).notifyWebhookUrl).toBeUndefined();
    expect(loadConfig({ ...minimal, NOTIFY_WEBHOOK_URL: ' ' }).notifyWebhookUrl).toBeUndefined();
  });

  test('when NOTIFY_WEBHOOK_URL is set, then it and its token are secrets redacted by value', () => {
    const url = 'https://chat.example.com/hooks/mmtoken0123456789abcdefgh';
    const secrets = secretsOf(loadConfig({ ...minimal, NOTIFY_WEBHOOK_URL: url }));
    expect(secrets).toEqual(expect.arrayContaining([url, '/hooks/mmtoken0123456789abcdefgh', 'mmtoken0123456789abcdefgh']));
    // Short path segments are words, not tokens: "hooks" stays readable elsewhere.
    expect(secrets).not.toContain('hooks');
  });

  test.each(['example.com', 'garbage', '0.0.0.0:8080', '[::1]', '256.0.0.1'])(
    'when HTTP_HOST is %p (not an IP address), then start-up fails naming it, before any lookup',
    (host) => {
      expect(problemsOf({ ...minimal, HTTP_HOST: host })).toEqual([
        {
          variable: 'HTTP_HOST',
          message: 'expected an IP address to listen on, such as 0.0.0.0, 127.0.0.1 or :: (or localhost)',
        },
      ]);
    },
  );

  test.each(['0.0.0.0', '127.0.0.2', '::', '::1', 'fe80::1', 'localhost'])(
    'when HTTP_HOST is %p, then the status endpoint listens there',
    (host) => {
      expect(loadConfig({ ...minimal, HTTP_HOST: ` ${host} ` }).status.host).toBe(host);
    },
  );

  test.each(['pg_catalog', 'information_schema', 'pg_toast', 'pg_temp', 'pg_temp_3', 'pg_detractors'])(
    'when DATABASE_SCHEMA is PostgreSQL’s own %p, then start-up fails naming it',
    (schema) => {
      const problems = problemsOf({ ...minimal, DATABASE_SCHEMA: schema });
      expect(problems).toHaveLength(1);
      expect(problems[0]?.variable).toBe('DATABASE_SCHEMA');
      expect(problems[0]?.message).toMatch(/^is reserved by PostgreSQL .*: choose a schema of its own, e.g. detractors$/);
    },
  );

  test.each(['public', 'detractors', 'pgdata', '_pg_like'])('when DATABASE_SCHEMA is %p, then it is used', (schema) => {
    expect(loadConfig({ ...minimal, DATABASE_SCHEMA: schema }).databaseSchema).toBe(schema);
  });

  const REQUIRED: readonly EnvName[] = ['QUESTIONPRO_API_KEY', 'SYNC_SEGMENTS'];
  const optional = (Object.keys(envDescriptions) as EnvName[]).filter((name) => !REQUIRED.includes(name));

  test.each(optional.flatMap((name) => [[name, ''] as const, [name, ' \t '] as const]))(
    'when %s is set to %p, then it means its default, as if unset',
    (name, blank) => {
      expect(loadConfig({ ...minimal, [name]: blank })).toEqual(loadConfig(minimal));
      expect(loadStatusConfig({ [name]: blank })).toEqual(loadStatusConfig({}));
      expect(loadRoleConfig({ [name]: blank })).toEqual(loadRoleConfig({}));
    },
  );

  test.each(REQUIRED.flatMap((name) => [[name, ''] as const, [name, '  '] as const]))(
    'when the required %s is set to %p, then start-up fails saying it is required',
    (name, blank) => {
      expect(problemsOf({ ...minimal, [name]: blank })).toEqual([{ variable: name, message: 'is required' }]);
    },
  );

  test('when READONLY_ROLE_PASSWORD has spaces around text, then they are kept as part of the password', () => {
    expect(loadRoleConfig({ READONLY_ROLE_PASSWORD: '  twelve chars  ' }).password).toBe('  twelve chars  ');
  });

  test.each([
    ['API_CALL_BUDGET', '9007199254740993', 'expected at most 1000000000'],
    ['HTTP_PORT', '99999999999999999999', 'expected at most 65535'],
    ['SYNC_STATUSES', '3000000000,4000000000', '3000000000 is out of range: status codes must be between 0 and 2147483647'],
    ['DATABASE_SCHEMA', 'pg_Mixed', 'expected a lower-case PostgreSQL schema name (letters, digits, _), e.g. detractors'],
  ])(
    'when %s is %p, which breaks more than one rule, then only the first, most specific message is shown',
    (variable, value, message) => {
      expect(problemsOf({ ...minimal, [variable]: value })).toEqual([{ variable, message }]);
    },
  );

  test('when several variables are invalid, then each is named once, in the order .env.example lists them', () => {
    const problems = problemsOf({
      LOG_LEVEL: 'loud',
      HTTP_PORT: '99999999999999999999',
      SYNC_PAGE_SIZE: 'lots',
      QUESTIONPRO_ENV: 'mars',
    });
    expect(problems.map((p) => p.variable)).toEqual([
      'QUESTIONPRO_API_KEY',
      'QUESTIONPRO_ENV',
      'SYNC_SEGMENTS',
      'SYNC_PAGE_SIZE',
      'HTTP_PORT',
      'LOG_LEVEL',
    ]);
  });

  test('when RETENTION_DAYS is set, then it is read in days, 0 (keep everything) included', () => {
    expect(loadConfig({ ...minimal, RETENTION_DAYS: ' 30 ' }).retentionDays).toBe(30);
    expect(loadConfig({ ...minimal, RETENTION_DAYS: '0' }).retentionDays).toBe(0);
    expect(loadConfig({ ...minimal, RETENTION_DAYS: '' }).retentionDays).toBe(90);
  });

  test('when the budget and cadences are set, then durations are read in seconds and statuses mapped', () => {
    const config = loadConfig({
      ...minimal,
      SYNC_VERIFY_INTERVAL: '30m',
      SYNC_STATUS_INTERVALS: '1=6h, 2=1d',
      SYNC_OPEN_STATUSES: '0,3',
      API_CALL_BUDGET: '20000',
      API_BUDGET_PERIOD: 'month',
      API_BUDGET_PERIOD_START_DAY: '15',
    });
    expect(config.sync).toMatchObject({
      verifyIntervalSeconds: 1_800,
      statusIntervalSeconds: { 1: 21_600, 2: 86_400 },
      openStatuses: [0, 3],
    });
    expect(config.budget).toEqual({ calls: 20_000, period: 'month', periodStartDay: 15 });
  });

  test('when names, labels and a report time zone are set, then they are read as given (commas in names kept)', () => {
    const config = loadConfig({
      ...minimal,
      SYNC_SEGMENT_NAMES: ' 101=Retail EU; 103 = Online Shop, DE ;',
      SYNC_STATUS_LABELS: '1=closed',
      REPORT_TIMEZONE: 'Europe/Berlin',
      DATABASE_SCHEMA: 'detractors',
    });
    expect([...config.reporting.segmentNames]).toEqual([
      [101, 'Retail EU'],
      [103, 'Online Shop, DE'],
    ]);
    expect([...config.reporting.statusLabels]).toEqual([[1, 'closed']]);
    expect(config.reporting.timezone).toBe('Europe/Berlin');
    expect(config.databaseSchema).toBe('detractors');
  });

  test('when no report time zone is set, then it follows SYNC_TIMEZONE and the schema is public', () => {
    const config = loadConfig({ ...minimal, SYNC_TIMEZONE: 'America/New_York' });
    expect(config.reporting).toEqual({ segmentNames: new Map(), statusLabels: new Map(), timezone: 'America/New_York' });
    expect(config.databaseSchema).toBe('public');
  });

  test('when the largest segment ID and status the columns hold are given, then they are accepted exactly', () => {
    const config = loadConfig({ ...minimal, SYNC_SEGMENTS: '9007199254740991', SYNC_STATUSES: '2147483647' });
    expect(config.sync).toMatchObject({ segments: [9_007_199_254_740_991], statuses: [2_147_483_647] });
  });

  test('when a ConfigError is shown, then its message names every variable', () => {
    expect(() => loadConfig({ SYNC_PAGE_SIZE: 'x' })).toThrow(
      /QUESTIONPRO_API_KEY.*SYNC_SEGMENTS.*SYNC_PAGE_SIZE|QUESTIONPRO_API_KEY/,
    );
  });

  test('when SYNC_RUN_ON_START is false and the cron has seconds, then both are accepted', () => {
    const config = loadConfig({ ...minimal, SYNC_RUN_ON_START: 'false', SYNC_CRON: '*/30 * * * * *' });
    expect(config.schedule.runOnStart).toBe(false);
    expect(config.schedule.cron).toBe('*/30 * * * * *');
  });

  test('when the migration lock settings are set, then durations are read in seconds and status reads them too', () => {
    const env = { MIGRATIONS_LOCK_TIMEOUT_MS: '500', MIGRATIONS_STATEMENT_TIMEOUT: '1h', MIGRATIONS_WAIT_MAX: '0' };
    const expected = { allowMismatch: false, lockTimeoutMs: 500, statementTimeoutSeconds: 3_600, maxWaitSeconds: 0 };
    expect(loadConfig({ ...minimal, ...env }).migrations).toEqual(expected);
    expect(loadStatusConfig(env).migrations).toEqual(expected);
  });

  test('when a migration lock setting is out of range or not a duration, then each is named', () => {
    expect(problemsOf({ ...minimal, MIGRATIONS_LOCK_TIMEOUT_MS: '0', MIGRATIONS_WAIT_MAX: 'soon' })).toEqual([
      { variable: 'MIGRATIONS_LOCK_TIMEOUT_MS', message: 'expected at least 10' },
      { variable: 'MIGRATIONS_WAIT_MAX', message: 'expected a duration such as 0, 90s, 30m, 6h or 1d' },
    ]);
  });
});
