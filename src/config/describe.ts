import { maskSecret, maskUrlPassword, maskWebhookUrl } from '../logging/logger.js';
import type { Config } from './config.js';

/**
 * The configuration as it may be shown (the "starting" log line): the API key masked,
 * every URL without its credentials, maps as objects (a Map logs as {}).
 */
export function describeConfig(config: Config): Record<string, unknown> {
  return {
    ...config,
    questionpro: {
      ...config.questionpro,
      apiKey: maskSecret(config.questionpro.apiKey),
      baseUrl: maskUrlPassword(config.questionpro.baseUrl),
    },
    reporting: {
      ...config.reporting,
      segmentNames: Object.fromEntries(config.reporting.segmentNames),
      statusLabels: Object.fromEntries(config.reporting.statusLabels),
    },
    databaseUrl: maskUrlPassword(config.databaseUrl) ?? '(embedded)',
    pushgatewayUrl: maskUrlPassword(config.pushgatewayUrl),
    notifyWebhookUrl: maskWebhookUrl(config.notifyWebhookUrl),
  };
}
