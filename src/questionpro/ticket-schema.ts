import { z } from 'zod';

/**
 * One detractor ticket as the API documents it. Strict about the fields we store
 * (a wrong type is quarantined, not guessed at), tolerant of fields the vendor may
 * add later (kept in `raw`).
 */
export const apiTicketSchema = z.looseObject({
  ticketID: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  responseID: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  emailAddress: z.string(),
  phoneNumber: z.string(),
  rating: z.string(),
  comment: z.string(),
  timestamp: z.string(),
  timelimit: z.number().int().nonnegative().max(1_000_000),
});

export type ApiTicket = z.infer<typeof apiTicketSchema>;
