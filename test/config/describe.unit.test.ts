import { describe, expect, test } from '@jest/globals';
import { loadConfig } from '../../src/config/config.js';
import { describeConfig } from '../../src/config/describe.js';

describe('the configuration as it is shown', () => {
  test('when every URL carries credentials, then none of them is shown, nor the api-key', () => {
    const config = loadConfig({
      QUESTIONPRO_API_KEY: 'shown-key-0a1b2c3d4e5f',
      QUESTIONPRO_BASE_URL: 'https://user:base-secret@api.example.com/a/api/v2',
      SYNC_SEGMENTS: '1',
      DATABASE_URL: 'postgresql://owner:db-secret@db.example.com/detractors',
      METRICS_PUSHGATEWAY_URL: 'http://u:gateway-secret@pushgateway:9091',
      NOTIFY_WEBHOOK_URL: 'https://hooks.slack.com/services/T0001/B0002/hooktoken0123456789abcd',
    });
    const shown = JSON.stringify(describeConfig(config));
    for (const secret of [
      'shown-key-0a1b2c3d4e5f',
      'base-secret',
      'db-secret',
      'gateway-secret',
      'hooktoken0123456789abcd',
      'T0001',
    ])
      expect(shown).not.toContain(secret);
    expect(shown).toContain('pushgateway:9091');
    // Where messages go, not how to post there.
    expect(shown).toContain('https://hooks.slack.com/****');
  });
});
