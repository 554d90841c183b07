import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { faultReply, isSocketFault } from './fault-replies.js';
import { FaultQueue, type FaultKind, type FaultSpec } from './faults.js';
import { parseDetractorsRequest, type DetractorsRequest } from './request-parser.js';
import { API_PREFIX, DETRACTORS_PATH, VENDOR_ERRORS, errorReply, jsonReply, successBody, type SimReply } from './responses.js';
import { generateTickets, type SimTicket } from './ticket-generator.js';
import { TicketStore, type InsertPosition } from './ticket-store.js';
import { RateWindow } from './rate-window.js';

export interface SimulatorOptions {
  /** Required value of the `api-key` request header. */
  apiKey: string;
  /** Lists generated at start. */
  lists?: Array<{ segmentId: number; status: number; count: number }>;
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Added before every response. */
  latencyMs?: number;
  seed?: number;
  /** perPage above it answers 400. Default 1000. */
  maxPerPage?: number;
  /** Enforce the API's rate limit: more calls than this in any 60 s answer 429 (with Retry-After). */
  rateLimitPerMinute?: number;
}

/** A valid request, as the onRequest hook sees it. */
export interface SimRequest extends DetractorsRequest {
  requestId: string;
}

export interface SimRequestLog extends Partial<DetractorsRequest> {
  /** 0 when no HTTP answer was sent ('reset' and 'timeout' faults). */
  httpStatus: number;
  requestId: string;
  fault?: FaultKind;
}

export type RequestHook = (req: SimRequest) => void | Promise<void>;

const DEFAULT_TIMEOUT_FAULT_MS = 30_000;

/** What to do with one request: answer it, or act on its socket. */
type Outcome = { reply: SimReply } | { socketFault: 'reset' } | { socketFault: 'timeout'; delayMs: number };

/** An in-process stand-in for QuestionPro's detractor-tickets endpoint, over real HTTP. */
export class QuestionProSimulator {
  readonly requests: SimRequestLog[] = [];
  private readonly store = new TicketStore();
  private readonly faults = new FaultQueue();
  private readonly sockets = new Set<Socket>();
  // Aborted by close(): ends latency waits and hanging 'timeout' faults at once.
  private readonly lifetime = new AbortController();
  private readonly server: Server;
  private hook: RequestHook | undefined;
  private latencyMs = 0;
  private rateWindow: RateWindow | undefined;
  private origin = '';

  private constructor(private readonly opts: Required<Pick<SimulatorOptions, 'apiKey' | 'seed' | 'maxPerPage'>>) {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(opts: SimulatorOptions): Promise<QuestionProSimulator> {
    if (!opts.apiKey) throw new TypeError('apiKey must be a non-empty string');
    const maxPerPage = opts.maxPerPage ?? 1000;
    if (!Number.isSafeInteger(maxPerPage) || maxPerPage < 1) throw new RangeError(`maxPerPage must be a positive integer, got ${maxPerPage}`);
    const sim = new QuestionProSimulator({ apiKey: opts.apiKey, seed: opts.seed ?? 1, maxPerPage });
    sim.setLatency(opts.latencyMs ?? 0);
    if (opts.rateLimitPerMinute) sim.rateWindow = new RateWindow(opts.rateLimitPerMinute);
    for (const { segmentId, status, count } of opts.lists ?? []) {
      sim.setList(segmentId, status, sim.generate(segmentId, status, count));
    }
    await sim.listen(opts.host ?? '127.0.0.1', opts.port ?? 0);
    return sim;
  }

  /** e.g. http://127.0.0.1:43211/a/api/v2 */
  get baseUrl(): string {
    return `${this.origin}${API_PREFIX}`;
  }

  list(segmentId: number, status: number): SimTicket[] {
    return this.store.copy(segmentId, status);
  }

  setList(segmentId: number, status: number, tickets: SimTicket[]): void {
    this.store.set(segmentId, status, tickets);
  }

  generate(segmentId: number, status: number, count: number): SimTicket[] {
    return generateTickets(this.opts.seed, segmentId, status, count);
  }

  upsertTicket(segmentId: number, status: number, ticket: SimTicket, position: InsertPosition = 'front'): void {
    this.store.upsert(segmentId, status, ticket, position);
  }

  removeTicket(segmentId: number, status: number, ticketId: number): SimTicket | undefined {
    return this.store.remove(segmentId, status, ticketId);
  }

  moveTicket(segmentId: number, ticketId: number, fromStatus: number, toStatus: number): void {
    this.store.move(segmentId, ticketId, fromStatus, toStatus);
  }

  injectFault(fault: FaultSpec): void {
    this.faults.add(fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  setLatency(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`latency must be a non-negative number, got ${ms}`);
    this.latencyMs = ms;
  }

  onRequest(hook: RequestHook | undefined): void {
    this.hook = hook;
  }

  async close(): Promise<void> {
    if (this.lifetime.signal.aborted) return;
    this.lifetime.abort();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Keep-alive sockets (fetch pools them) would hold server.close() open forever.
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private async listen(host: string, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    const hostPart = address.address.includes(':') ? `[${address.address}]` : address.address;
    this.origin = `http://${hostPart}:${address.port}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const body = await readBody(req);
      if (this.latencyMs > 0) await sleep(this.latencyMs, undefined, { signal: this.lifetime.signal });
      const outcome = await this.decide(req, body);
      if ('reply' in outcome) {
        const { status, headers, body: text } = outcome.reply;
        res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(text)) });
        res.end(text);
      } else if (outcome.socketFault === 'reset') {
        req.socket.resetAndDestroy();
      } else {
        await sleep(outcome.delayMs, undefined, { signal: this.lifetime.signal });
        req.socket.destroy();
      }
    } catch {
      // Either close() interrupted a wait or the client went away: nobody is left to answer.
      req.socket.destroy();
    }
  }

  private async decide(req: IncomingMessage, body: string): Promise<Outcome> {
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', this.origin);
    const reply = (log: Omit<SimRequestLog, 'requestId' | 'httpStatus'>, answer: SimReply): Outcome => {
      this.requests.push({ ...log, httpStatus: answer.status, requestId });
      return { reply: answer };
    };
    const error = (status: keyof typeof VENDOR_ERRORS, log: Partial<DetractorsRequest> = {}): Outcome =>
      reply(log, errorReply(status, VENDOR_ERRORS[status], requestId, url.href));

    if (url.pathname !== DETRACTORS_PATH || req.method !== 'POST') return error(404);
    if (req.headers['api-key'] !== this.opts.apiKey) return error(401);
    const admission = this.rateWindow?.admit(Date.now());
    if (admission && !admission.admitted) {
      const headers = { 'retry-after': String(admission.retryAfterSeconds) };
      return reply({}, errorReply(429, VENDOR_ERRORS[429], requestId, url.href, headers));
    }
    const parsed = parseDetractorsRequest(url.searchParams, body, this.opts.maxPerPage);
    if (!parsed.ok) return reply(parsed.partial, errorReply(400, parsed.error, requestId, url.href));
    const request = parsed.request;
    if (!this.store.hasSegment(request.segmentId)) return error(404, request);

    try {
      await this.hook?.({ ...request, requestId });
    } catch (err) {
      const message = `simulator onRequest hook failed: ${err instanceof Error ? err.message : String(err)}`;
      return reply(request, errorReply(500, { ...VENDOR_ERRORS[500], message }, requestId, url.href));
    }

    // A function because most faults never need the page, so it is built only on demand.
    const page = () =>
      successBody(this.store.view(request.segmentId, request.status), { origin: this.origin, ...request, requestId });
    const fault = this.faults.take(request);
    if (!fault) return reply(request, jsonReply(200, page(), requestId));
    const log = { ...request, fault: fault.kind };
    if (!isSocketFault(fault.kind)) {
      return reply(log, faultReply({ ...fault, kind: fault.kind }, { requestId, resourceUrl: url.href, page }));
    }
    this.requests.push({ ...log, httpStatus: 0, requestId });
    return fault.kind === 'reset'
      ? { socketFault: 'reset' }
      : { socketFault: 'timeout', delayMs: fault.delayMs ?? DEFAULT_TIMEOUT_FAULT_MS };
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
