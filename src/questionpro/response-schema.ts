import { z } from 'zod';

/**
 * The documented success envelope of `POST /cx/tickets/detractors`. Records are kept
 * as `unknown` here on purpose: one malformed ticket must not fail its whole page, so
 * each record is validated on its own (ticket-schema.ts) and quarantined if needed.
 * `links` is accepted but never followed: in the vendor's example they point at
 * another path with page numbers that do not match `currentPage`.
 */
const count = z.number().int().nonnegative();

export const paginationSchema = z.object({
  totalItems: count,
  perPage: z.number().int().positive(),
  totalPages: count,
  currentPage: z.number().int().positive(),
  links: z.unknown().optional(),
});

export const pageEnvelopeSchema = z.object({
  response: z.array(z.unknown()),
  pagination: paginationSchema,
  requestID: z.string().optional(),
});

export type Pagination = z.infer<typeof paginationSchema>;
export type PageEnvelope = z.infer<typeof pageEnvelopeSchema>;

/** "pagination.totalPages: expected number, received string; response: required" */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
