import type { QuestionProSimulator } from '../../src/sim/server.js';
import type { SimTicket } from '../../src/sim/ticket-generator.js';

// Plain fetch calls against a running simulator: the tests see exactly what a client
// on the wire would see, with no client code of ours in between.

export interface PostOptions {
  segmentId?: unknown;
  status?: unknown;
  /** Raw query string without "?", e.g. "page=2&perPage=50"; omitted means none. */
  query?: string;
  /** null sends no api-key header. */
  apiKey?: string | null;
  /** Overrides the JSON body built from segmentId/status. */
  rawBody?: string;
  method?: string;
  path?: string;
  signal?: AbortSignal;
}

export const API_KEY = 'test-key';

export function postDetractors(sim: QuestionProSimulator, opts: PostOptions = {}): Promise<Response> {
  const path = opts.path ?? '/cx/tickets/detractors';
  const url = `${sim.baseUrl}${path}${opts.query === undefined ? '' : `?${opts.query}`}`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const apiKey = opts.apiKey === undefined ? API_KEY : opts.apiKey;
  if (apiKey !== null) headers['api-key'] = apiKey;
  const method = opts.method ?? 'POST';
  const body =
    method === 'GET'
      ? undefined
      : (opts.rawBody ?? JSON.stringify({ segmentID: opts.segmentId ?? 101, status: opts.status ?? 0 }));
  return fetch(url, { method, headers, body, signal: opts.signal });
}

export interface PageBody {
  response: SimTicket[];
  pagination: {
    perPage: number;
    totalItems: number;
    currentPage: number;
    totalPages: number;
    links: Record<string, string | null>;
  };
  requestID: string;
}

export async function getPage(
  sim: QuestionProSimulator,
  segmentId: number,
  status: number,
  page: number,
  perPage: number,
): Promise<PageBody> {
  const res = await postDetractors(sim, { segmentId, status, query: `page=${page}&perPage=${perPage}` });
  if (res.status !== 200) throw new Error(`page ${page} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as PageBody;
}

/** Reads pages 1..totalPages as the first page announced them, the way a sync would. */
export async function crawl(sim: QuestionProSimulator, segmentId: number, status: number, perPage: number): Promise<PageBody[]> {
  const first = await getPage(sim, segmentId, status, 1, perPage);
  const pages = [first];
  for (let page = 2; page <= first.pagination.totalPages; page++) {
    pages.push(await getPage(sim, segmentId, status, page, perPage));
  }
  return pages;
}
