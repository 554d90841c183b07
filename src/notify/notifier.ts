import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  claimNotification,
  markDelivered,
  readNotifiedStates,
  rearmNotification,
  releaseClaims,
} from '../db/sql/notifications.js';
import type { Db } from '../db/prisma.js';
import { errorMessage } from '../errors.js';
import type { ListNames } from '../lists/list.js';
import type { SecretRedactor } from '../logging/secret-redactor.js';
import { buildMessage } from './message.js';
import type { ListDetail, NotificationEvent, Observation } from './observations.js';
import { postWebhook, WebhookError, type WebhookOptions } from './webhook.js';

/**
 * How long a claim holds a message: longer than a delivery with its retries (about
 * 15 s), so a slow receiver is not told twice; short enough that a process killed
 * while delivering delays the message by a few runs at most, never for good.
 */
const CLAIM_LEASE_MS = 5 * 60_000;

export type DeliveryOutcome = 'delivered' | 'failed';

export interface NotifierDeps {
  readonly db: Db;
  readonly webhookUrl: string;
  readonly names: ListNames;
  /** Every secret of the configuration: the body passes through it before it leaves. */
  readonly redactor: SecretRedactor;
  readonly log: Logger;
  readonly onDelivery?: (event: NotificationEvent, outcome: DeliveryOutcome) => void;
  readonly webhook?: Omit<WebhookOptions, 'signal'>;
}

interface Claimed {
  readonly event: NotificationEvent;
  readonly token: string;
  readonly observations: Observation[];
}

/**
 * Tells a webhook what changed: each observation whose state differs from the one last
 * told is claimed in the database (one process wins), the claims of one event become
 * one message, and a delivered message is recorded as told. A delivery that finally
 * fails gives its claims back: the next run that still sees the state sends it again,
 * so a receiver down for an hour costs a late message, not a lost one. Nothing here
 * fails a run: every error ends as a warning.
 */
export class Notifier {
  constructor(private readonly deps: NotifierDeps) {}

  async notify(observations: readonly Observation[], signal?: AbortSignal): Promise<void> {
    try {
      const groups = await this.claim(observations);
      for (const group of groups) await this.deliver(group, signal);
    } catch (error) {
      this.deps.log.warn({ errMessage: this.deps.redactor.redact(errorMessage(error)) }, 'notifications not sent');
    }
  }

  /** The changes this process is to tell, grouped by event, each group under one claim token. */
  private async claim(observations: readonly Observation[]): Promise<Claimed[]> {
    const { db } = this.deps;
    const told = new Map<string, Map<string, string>>();
    for (const kind of new Set(observations.map((o) => o.kind))) told.set(kind, await readNotifiedStates(db, kind));
    const groups = new Map<NotificationEvent, Claimed>();
    // In one order in every process, one row at a time: claims never wait on each other in a circle.
    const ordered = [...observations].sort((a, b) => (a.kind + '\0' + a.subject < b.kind + '\0' + b.subject ? -1 : 1));
    for (const o of ordered) {
      const last = told.get(o.kind)?.get(o.subject) ?? o.quiet;
      if (last === o.state) continue;
      if (o.event === undefined) {
        await rearmNotification(db, o.kind, o.subject, o.quiet);
        continue;
      }
      const group = groups.get(o.event) ?? { event: o.event, token: randomUUID(), observations: [] };
      const previous = await claimNotification(db, { ...o, token: group.token, leaseMs: CLAIM_LEASE_MS });
      if (previous === undefined) continue; // told already, or another process is telling it
      group.observations.push(o);
      groups.set(o.event, group);
    }
    return [...groups.values()];
  }

  private async deliver(group: Claimed, signal: AbortSignal | undefined): Promise<void> {
    const { db, log, redactor } = this.deps;
    const lists = group.observations.map((o) => o.list).filter((l): l is ListDetail => l !== undefined);
    const budget = group.observations.find((o) => o.budget)?.budget;
    const body = buildMessage(group.event, { lists, budget }, this.deps.names, new Date());
    // By value: a list name, an API's requestID or error id could quote a secret.
    const json = redactor.redact(JSON.stringify(body));
    const fields = { event: group.event, lists: lists.length, runId: body.runId };
    let attempts: number;
    try {
      attempts = await postWebhook(this.deps.webhookUrl, json, { ...this.deps.webhook, signal });
    } catch (error) {
      await releaseClaims(db, group.token).catch((released: unknown) =>
        log.warn({ errMessage: redactor.redact(errorMessage(released)) }, 'notification claim not released: it lapses'),
      );
      const { httpStatus, attempts: tried } =
        error instanceof WebhookError ? error : { httpStatus: undefined, attempts: undefined };
      log.warn(
        { ...fields, httpStatus, attempts: tried, errMessage: redactor.redact(errorMessage(error)) },
        'notification not delivered: the next run tries again',
      );
      this.deps.onDelivery?.(group.event, 'failed');
      return;
    }
    log.info({ ...fields, attempts }, 'notification sent');
    this.deps.onDelivery?.(group.event, 'delivered');
    // Not recorded (the database went away): the claim lapses and a later run sends it again, once more.
    await markDelivered(db, group.token).catch((error: unknown) =>
      log.warn(
        { ...fields, errMessage: redactor.redact(errorMessage(error)) },
        'notification sent but not recorded: it may be sent again',
      ),
    );
  }
}
