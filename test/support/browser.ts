import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';

// Headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe:
// the browser reads commands on fd 3 and writes answers on fd 4, each a JSON message ended
// by a NUL byte). No WebSocket, no driver package: the page is opened at a given window
// size and questions are asked of it in its own JavaScript (layout, text, sizes).

export const CHROMIUM = process.env['CHROMIUM_BIN'] ?? '/usr/bin/chromium';
/** Why browser tests cannot run here, or undefined when they can. */
export const browserUnavailable = existsSync(CHROMIUM)
  ? undefined
  : `no browser at ${CHROMIUM} (.ci/run installs Debian's chromium)`;

/** Flags every headless run shares, with a profile folder of its own (parallel runs never share one). */
export function headlessFlags(profile: string): string[] {
  return ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--hide-scrollbars', `--user-data-dir=${profile}`];
}

export interface BrowserPage {
  /** The value of a JavaScript expression in the page (it must be JSON-serialisable). */
  evaluate<T>(expression: string): Promise<T>;
}

interface Message {
  id?: number;
  method?: string;
  sessionId?: string;
  result?: Record<string, unknown>;
  error?: { message: string };
  params?: Record<string, unknown>;
}

class Connection {
  private nextId = 1;
  private buffer = '';
  private readonly pending = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Set<(m: Message) => void>();

  constructor(
    private readonly input: Writable,
    output: Readable,
  ) {
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => {
      this.buffer += chunk;
      for (let end = this.buffer.indexOf('\0'); end >= 0; end = this.buffer.indexOf('\0')) {
        const message = JSON.parse(this.buffer.slice(0, end)) as Message;
        this.buffer = this.buffer.slice(end + 1);
        this.dispatch(message);
      }
    });
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Message> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.input.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  /** Resolves at the first event of this method (of this session) from now on. */
  next(method: string, sessionId: string): Promise<Message> {
    return new Promise((resolve) => {
      const listener = (m: Message) => {
        if (m.method === method && m.sessionId === sessionId) {
          this.listeners.delete(listener);
          resolve(m);
        }
      };
      this.listeners.add(listener);
    });
  }

  failAll(error: Error): void {
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }

  private dispatch(message: Message): void {
    if (message.id !== undefined) {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(message.error.message));
      else waiter?.resolve(message);
      return;
    }
    for (const listener of [...this.listeners]) listener(message);
  }
}

/**
 * Opens `url` in headless Chromium in a window `width` × `height` CSS pixels (a desktop
 * window, not a phone's zoomable viewport: what overflows shows as overflow), waits for
 * its load event, and hands the page to `use`. The browser is gone when this resolves.
 */
export async function withPage<T>(
  url: string,
  size: { readonly width: number; readonly height: number },
  use: (page: BrowserPage) => Promise<T>,
): Promise<T> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'detractor-chromium-'));
  let child: ChildProcess | undefined;
  let cdp: Connection | undefined;
  try {
    child = spawn(CHROMIUM, [...headlessFlags(profile), '--remote-debugging-pipe', 'about:blank'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    const connection = new Connection(child.stdio[3] as Writable, child.stdio[4] as Readable);
    cdp = connection;
    child.once('exit', (code) => connection.failAll(new Error(`chromium exited (${code}):\n${stderr.slice(-2000)}`)));

    const target = await connection.send('Target.createTarget', { url: 'about:blank' });
    const attached = await connection.send('Target.attachToTarget', { targetId: target.result!['targetId'], flatten: true });
    const session = attached.result!['sessionId'] as string;
    await connection.send('Emulation.setDeviceMetricsOverride', { ...size, deviceScaleFactor: 1, mobile: false }, session);
    await connection.send('Page.enable', {}, session);
    const loaded = connection.next('Page.loadEventFired', session);
    const navigation = await connection.send('Page.navigate', { url }, session);
    const failed = navigation.result?.['errorText'] as string | undefined;
    if (failed) throw new Error(`cannot open ${url}: ${failed}`);
    await loaded;
    return await use({
      evaluate: async <V>(expression: string) => {
        const answer = await connection.send(
          'Runtime.evaluate',
          { expression, returnByValue: true, awaitPromise: true },
          session,
        );
        const details = answer.result?.['exceptionDetails'] as
          { text?: string; exception?: { description?: string } } | undefined;
        if (details) throw new Error(`${details.exception?.description ?? details.text ?? 'exception'} in: ${expression}`);
        return (answer.result!['result'] as { value: V }).value;
      },
    });
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      // Closed as a person closes it (its helper processes end with it), killed if it does not within seconds.
      void cdp?.send('Browser.close').catch(() => undefined);
      const kill = setTimeout(() => child!.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(kill);
    }
    await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}

/**
 * What a reader at this width gets: the page wider than the window (a horizontal
 * scrollbar), and every element that reaches past the window's right edge without being
 * inside a box that scrolls on its own.
 */
export const OVERFLOW_PROBE = `(() => {
  const width = window.innerWidth;
  const scrolls = (el) => { for (let e = el.parentElement; e; e = e.parentElement) {
    const o = getComputedStyle(e).overflowX; if (o === 'auto' || o === 'scroll') return e; } return null; };
  const sticking = [...document.body.querySelectorAll('*')]
    .filter((el) => el.getBoundingClientRect().right > width + 0.5)
    .filter((el) => { const box = scrolls(el); return !box || box.getBoundingClientRect().right > width + 0.5; })
    .map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && el.className.baseVal === undefined ? '.' + el.className : ''));
  return { innerWidth: width, scrollWidth: document.documentElement.scrollWidth, sticking: sticking.slice(0, 10) };
})()`;
