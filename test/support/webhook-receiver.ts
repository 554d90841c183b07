import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPost {
  readonly path: string;
  readonly contentType: string | undefined;
  readonly raw: string;
  readonly body: Record<string, unknown>;
  readonly answered: number;
}

/**
 * An incoming webhook on 127.0.0.1 (a free port), as Slack or Mattermost runs one: it
 * records every POST with the status it answered. `failNext(n)` answers the next n
 * posts with 500; `delivered()` are the ones it accepted.
 */
export class WebhookReceiver {
  readonly posts: ReceivedPost[] = [];
  private failures: number[] = [];
  private hold: Promise<void> | undefined;
  /** Posts that arrived and wait for `release()` before they are answered. */
  waiting = 0;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server);
    server.on('request', (req, res) => {
      void readAll(req).then(async (raw) => {
        if (receiver.hold) {
          receiver.waiting += 1;
          await receiver.hold;
          receiver.waiting -= 1;
        }
        const answered = receiver.failures.shift() ?? 200;
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          // recorded raw: the test says what it expected
        }
        receiver.posts.push({ path: req.url ?? '', contentType: req.headers['content-type'], raw, body, answered });
        res.writeHead(answered, { 'content-type': 'text/plain' }).end(answered === 200 ? 'ok' : 'boom');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The hook's URL; its path is the token, as Slack's and Mattermost's are. */
  url(token = 'hooktoken0123456789abcdef'): string {
    return `http://127.0.0.1:${this.port}/hooks/${token}`;
  }

  failNext(times: number, status = 500): void {
    this.failures.push(...Array<number>(times).fill(status));
  }

  /** Holds every post unanswered until the returned function is called (a slow receiver). */
  holdPosts(): () => void {
    let release: () => void = () => undefined;
    this.hold = new Promise((resolve) => (release = resolve));
    return () => {
      this.hold = undefined;
      release();
    };
  }

  delivered(): ReceivedPost[] {
    return this.posts.filter((p) => p.answered === 200);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (data += chunk));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}
