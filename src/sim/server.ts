import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { faultReply } from './fault-replies.js';
import { FaultQueue, type FaultContext, type FaultSpec } from './faults.js';
import { KeyBudget } from './key-budget.js';
import { shuffle } from './prng.js';
import { ArrivalCounter, readBody } from './arrivals.js';
import { parseDetractorsRequest, type DetractorsRequest } from './request-parser.js';
import {
  API_PREFIX,
  DETRACTORS_PATH,
  QUOTA_ERROR,
  VENDOR_ERRORS,
  errorReply,
  jsonReply,
  successBody,
  type SimReply,
} from './responses.js';
import { actOnSocket, isSocketFault, socketFaultStatus, type SocketFaultSpec } from './socket-faults.js';
import { endlessTicket, generateTickets, type SimTicket, type TicketDating } from './ticket-generator.js';
import { TicketStore, type InsertPosition } from './ticket-store.js';

import { checkCount, type RequestHook, type SimRequestLog, type SimulatorOptions } from './sim-options.js';

export type { RequestHook, SimRequest, SimRequestLog, SimulatorOptions } from './sim-options.js';

/** What to do with one request: answer it, or act on its connection. */
type Outcome = { reply: SimReply } | { act: SocketFaultSpec; log: SimRequestLog; ctx: FaultContext };

/** An in-process stand-in for QuestionPro's detractor-tickets endpoint, over real HTTP. */
export class QuestionProSimulator {
  readonly requests: SimRequestLog[] = [];
  private readonly store = new TicketStore();
  private readonly faults = new FaultQueue();
  private readonly sockets = new Set<Socket>();
  // Socket faults being acted out; close() and settled() wait for them.
  private readonly acting = new Set<Promise<void>>();
  // Aborted by close(): ends latency waits and every socket fault at once.
  private readonly lifetime = new AbortController();
  private readonly server: Server;
  private hook: RequestHook | undefined;
  private latencyMs = 0;
  private endlessServed = 0;
  private shuffles = 0;
  private readonly arrivals = new ArrivalCounter();
  private origin = '';

  private constructor(
    private readonly opts: Required<Pick<SimulatorOptions, 'seed' | 'maxPerPage'>> &
      Pick<SimulatorOptions, 'clampPerPage' | 'shuffleWithinPages' | 'echoKeyAsRequestId'>,
    private readonly apiKeys: ReadonlySet<string>,
    private readonly budget: KeyBudget,
  ) {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(opts: SimulatorOptions): Promise<QuestionProSimulator> {
    const apiKeys = [opts.apiKey, ...(opts.extraApiKeys ?? [])];
    if (!apiKeys.every((key) => typeof key === 'string' && key !== '')) throw new TypeError('API keys must be non-empty strings');
    const maxPerPage = opts.maxPerPage ?? 1000;
    checkCount('maxPerPage', maxPerPage, 1);
    if (opts.callAllowance !== undefined) checkCount('callAllowance', opts.callAllowance, 0);
    // 0 keeps meaning "no limit", as SIM_RATE_LIMIT=0 does.
    const budget = new KeyBudget({
      perMinute: opts.rateLimitPerMinute || undefined,
      windowMs: opts.rateWindowMs,
      allowance: opts.callAllowance,
    });
    if (opts.clampPerPage !== undefined) checkCount('clampPerPage', opts.clampPerPage, 1);
    const sim = new QuestionProSimulator(
      {
        seed: opts.seed ?? 1,
        maxPerPage,
        clampPerPage: opts.clampPerPage,
        shuffleWithinPages: opts.shuffleWithinPages,
        echoKeyAsRequestId: opts.echoKeyAsRequestId,
      },
      new Set(apiKeys),
      budget,
    );
    sim.setLatency(opts.latencyMs ?? 0);
    for (const { segmentId, status, count } of opts.lists ?? []) {
      sim.store.adopt(segmentId, status, sim.generate(segmentId, status, count));
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

  /** Tickets of this simulator's seed; `dating` moves their timestamps (see TicketDating). */
  generate(segmentId: number, status: number, count: number, dating?: TicketDating): SimTicket[] {
    return generateTickets(this.opts.seed, segmentId, status, count, dating);
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

  /** Calls the simulator counted for `apiKey`: the ones its rate window admitted (quota refusals included). */
  callsByKey(apiKey: string): number {
    return this.budget.callsBy(apiKey);
  }

  /** Resolves once `count` requests have reached the simulator (before latency is applied). */
  arrived(count: number): Promise<void> {
    return this.arrivals.reached(count);
  }

  /** Requests that reached the simulator so far, answered or still held (by latency or a hook). */
  get received(): number {
    return this.arrivals.count;
  }

  /**
   * Resolves once every socket fault being acted out now (a trickling, truncated,
   * huge or hanging answer) has ended, e.g. because its client went away.
   */
  async settled(): Promise<void> {
    await Promise.all(this.acting);
  }

  async close(): Promise<void> {
    if (this.lifetime.signal.aborted) return;
    this.lifetime.abort();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Keep-alive sockets (fetch pools them) would hold server.close() open forever.
    for (const socket of this.sockets) socket.destroy();
    await closed;
    // The aborted lifetime ends them at once; waiting leaves no timer behind.
    await this.settled();
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
      // Counted just before the latency wait starts: a waiter sees the request held.
      this.arrivals.add();
      if (this.latencyMs > 0) await sleep(this.latencyMs, undefined, { signal: this.lifetime.signal });
      const outcome = await this.decide(req, body);
      if ('reply' in outcome) {
        const { status, headers, body: text } = outcome.reply;
        res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(text)) });
        res.end(text);
        return;
      }
      const acting = actOnSocket(outcome.act, { ...outcome.ctx, req, res, log: outcome.log, lifetime: this.lifetime.signal });
      this.track(acting);
      await acting;
    } catch {
      // Either close() interrupted a wait or the client went away: nobody is left to answer.
      req.socket.destroy();
    }
  }

  // close() and settled() wait for socket faults; one that failed has ended too.
  private track(acting: Promise<void>): void {
    const ended = acting.then(
      () => undefined,
      () => undefined,
    );
    this.acting.add(ended);
    void ended.then(() => this.acting.delete(ended));
  }

  private async decide(req: IncomingMessage, body: string): Promise<Outcome> {
    const sentKey = req.headers['api-key'];
    const requestId = this.opts.echoKeyAsRequestId && typeof sentKey === 'string' ? sentKey : randomUUID();
    const url = new URL(req.url ?? '/', this.origin);
    const reply = (log: Omit<SimRequestLog, 'requestId' | 'httpStatus'>, answer: SimReply): Outcome => {
      this.requests.push({ ...log, httpStatus: answer.status, requestId });
      return { reply: answer };
    };
    const error = (status: keyof typeof VENDOR_ERRORS, log: Partial<DetractorsRequest> = {}): Outcome =>
      reply(log, errorReply(status, VENDOR_ERRORS[status], requestId, url.href));

    if (url.pathname !== DETRACTORS_PATH || req.method !== 'POST') return error(404);
    const apiKey = req.headers['api-key'];
    if (typeof apiKey !== 'string' || !this.apiKeys.has(apiKey)) return error(401);
    const admission = this.budget.admit(apiKey, Date.now());
    if (!admission.admitted && admission.reason === 'rate') {
      const headers = { 'retry-after': String(admission.retryAfterSeconds) };
      return reply({}, errorReply(429, VENDOR_ERRORS[429], requestId, url.href, headers));
    }
    if (!admission.admitted) return reply({}, errorReply(429, QUOTA_ERROR, requestId, url.href));
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

    const perPage = Math.min(request.perPage, this.opts.clampPerPage ?? request.perPage);
    const pageRequest = { origin: this.origin, page: request.page, perPage, requestId };
    // A function because most answers never need the page, so it is built only on demand.
    const page = (pageNumber = request.page) => {
      const body = successBody(this.store.view(request.segmentId, request.status), { ...pageRequest, page: pageNumber });
      if (this.opts.shuffleWithinPages) shuffle(body.response, this.shuffles++);
      return body;
    };
    const fault = this.faults.take(request);
    if (!fault) return reply(request, jsonReply(200, page(), requestId));
    const ctx: FaultContext = {
      requestId,
      resourceUrl: url.href,
      pageRequest,
      rawHeaders: req.rawHeaders,
      page,
      freshTickets: (count) => Array.from({ length: count }, () => endlessTicket(this.opts.seed, this.endlessServed++)),
    };
    const log = { ...request, fault: fault.kind };
    if (!isSocketFault(fault.kind)) return reply(log, faultReply({ ...fault, kind: fault.kind }, ctx));
    const entry: SimRequestLog = { ...log, httpStatus: socketFaultStatus(fault.kind), requestId };
    this.requests.push(entry);
    return { act: { ...fault, kind: fault.kind }, log: entry, ctx };
  }
}
