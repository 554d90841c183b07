/** The demo's data set: three segments, each with an open (0) and a closed (1) list. */
export const DEMO_API_KEY = 'demo-key-not-a-secret';
export const DEMO_SEGMENTS = [101, 102, 103];
export const DEMO_STATUSES = [0, 1];

export function demoLists(): Array<{ segmentId: number; status: number; count: number }> {
  return DEMO_SEGMENTS.flatMap((segmentId) => [
    { segmentId, status: 0, count: 240 + segmentId },
    { segmentId, status: 1, count: 60 },
  ]);
}
