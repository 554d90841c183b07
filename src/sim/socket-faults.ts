import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { SOCKET_FAULT_KINDS, type FaultContext, type FaultKind, type FaultSpec, type SocketFaultKind } from './faults.js';
import { jsonReply } from './responses.js';

// Faults acted out on the connection rather than answered in one piece: no answer at
// all, or an answer whose body trickles, stops short, or never seems to end.

export type SocketFaultSpec = FaultSpec & { kind: SocketFaultKind };

export function isSocketFault(kind: FaultKind): kind is SocketFaultKind {
  return (SOCKET_FAULT_KINDS as readonly FaultKind[]).includes(kind);
}

/** The status the request log records: 0 when no status line is ever sent. */
export function socketFaultStatus(kind: SocketFaultKind): number {
  return kind === 'reset' || kind === 'timeout' ? 0 : 200;
}

export interface SocketFaultContext extends FaultContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** The request's log entry: body bytes handed to the connection are counted in it. */
  log: { bytesSent?: number };
  /** Aborted when the simulator closes: every wait below ends with it. */
  lifetime: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_SLOW_INTERVAL_MS = 1000;
const DEFAULT_RESET_AFTER_BYTES = 20;
const DEFAULT_HUGE_BYTES = 2 ** 30;
// Big enough that a 1 GiB body is 16k writes, small enough to stay near the socket's
// own buffering, so bytesSent stays close to what the client actually took.
const HUGE_CHUNK_BYTES = 64 * 1024;

/** Acts out the fault; rejects when the simulator closes or the client goes away first. */
export async function actOnSocket(spec: SocketFaultSpec, ctx: SocketFaultContext): Promise<void> {
  switch (spec.kind) {
    case 'reset':
      ctx.req.socket.resetAndDestroy();
      return;
    case 'timeout':
      await sleep(spec.delayMs ?? DEFAULT_TIMEOUT_MS, undefined, { signal: ctx.lifetime });
      ctx.req.socket.destroy();
      return;
    case 'slow-body':
      return slowBody(spec.intervalMs ?? DEFAULT_SLOW_INTERVAL_MS, ctx);
    case 'reset-mid-body':
      return resetMidBody(spec.bytes ?? DEFAULT_RESET_AFTER_BYTES, ctx);
    case 'huge-body':
      return hugeBody(spec.bytes ?? DEFAULT_HUGE_BYTES, ctx);
  }
}

/** Aborted when the simulator closes or the response's connection closes. */
function whileConnected(ctx: SocketFaultContext): AbortSignal {
  const gone = new AbortController();
  const leave = () => gone.abort(new Error('client went away'));
  // The client may have left already, while a latency wait or the hook ran.
  if (ctx.res.closed || ctx.req.socket.destroyed) leave();
  else ctx.res.once('close', leave);
  return AbortSignal.any([ctx.lifetime, gone.signal]);
}

/** The real page, with headers announcing its real length, status line sent at once. */
function startRealPage(ctx: SocketFaultContext): Buffer {
  const reply = jsonReply(200, ctx.page(), ctx.requestId);
  const body = Buffer.from(reply.body);
  ctx.res.writeHead(200, { ...reply.headers, 'content-length': String(body.length) });
  ctx.res.flushHeaders();
  ctx.log.bytesSent = 0;
  return body;
}

// Defeats an idle-socket timeout (a byte always arrives in time); only a deadline on
// the whole request stops it.
async function slowBody(intervalMs: number, ctx: SocketFaultContext): Promise<void> {
  const signal = whileConnected(ctx);
  const body = startRealPage(ctx);
  for (let i = 0; i < body.length; i++) {
    await sleep(intervalMs, undefined, { signal });
    ctx.res.write(body.subarray(i, i + 1));
    ctx.log.bytesSent = i + 1;
  }
  ctx.res.end();
}

async function resetMidBody(bytes: number, ctx: SocketFaultContext): Promise<void> {
  const body = startRealPage(ctx);
  const sent = Math.min(bytes, body.length - 1);
  // The reset discards whatever the kernel has not sent yet: wait until the bytes left.
  await new Promise<void>((resolve, reject) => ctx.res.write(body.subarray(0, sent), (err) => (err ? reject(err) : resolve())));
  ctx.log.bytesSent = sent;
  ctx.req.socket.resetAndDestroy();
}

/**
 * A body of exactly `bytes` bytes, streamed without content-length and never held
 * whole: `{"response":[` and the page's records over and over, spaces to make up
 * the size, then the page's real ending. Valid JSON all through, so only a client
 * that counts bytes notices before the end. Backpressure is respected: a client that
 * stops reading stops the stream within a few socket buffers.
 */
async function hugeBody(bytes: number, ctx: SocketFaultContext): Promise<void> {
  const signal = whileConnected(ctx);
  ctx.res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': ctx.requestId });
  ctx.log.bytesSent = 0;
  for (const part of hugeBodyParts(bytes, ctx)) {
    signal.throwIfAborted();
    const flowing = ctx.res.write(part);
    ctx.log.bytesSent += part.length;
    if (!flowing) await once(ctx.res, 'drain', { signal });
  }
  ctx.res.end();
}

function* hugeBodyParts(bytes: number, ctx: SocketFaultContext): Generator<Buffer> {
  const page = ctx.page();
  // An empty list still needs records that look real.
  const records = page.response.length > 0 ? page.response : ctx.freshTickets(10);
  const head = Buffer.from('{"response":[');
  const { response: _records, ...ending } = page;
  const tail = Buffer.from(`${JSON.stringify(records[0])}],${JSON.stringify(ending).slice(1)}`);
  if (bytes < head.length + tail.length) {
    yield Buffer.concat([head, tail]).subarray(0, bytes);
    return;
  }
  // The records and their commas, as many whole copies as fit in ~64 KiB (at least one).
  const unit = Buffer.from(`${JSON.stringify(records).slice(1, -1)},`);
  const block = Buffer.concat(Array<Buffer>(Math.max(1, Math.floor(HUGE_CHUNK_BYTES / unit.length))).fill(unit));
  const middle = bytes - head.length - tail.length;
  let units = Math.floor(middle / unit.length);
  yield head;
  for (; units * unit.length >= block.length; units -= block.length / unit.length) yield* piecesOf(block);
  yield* piecesOf(block.subarray(0, units * unit.length));
  // Whitespace after a comma is valid JSON: it pads the body to the exact size asked.
  yield* piecesOf(Buffer.alloc(middle % unit.length, ' '));
  yield tail;
}

/** `buffer` in slices of at most HUGE_CHUNK_BYTES (a single unit of 1000 records is larger). */
function* piecesOf(buffer: Buffer): Generator<Buffer> {
  for (let at = 0; at < buffer.length; at += HUGE_CHUNK_BYTES) yield buffer.subarray(at, at + HUGE_CHUNK_BYTES);
}
