/** The demo's data set: three segments, each with an open (0) and a closed (1) list. */
export const DEMO_API_KEY = 'demo-key-not-a-secret';
export const DEMO_SEGMENTS = [101, 102, 103];
export const DEMO_STATUSES = [0, 1];
export const DEMO_OPEN_STATUS = 0;
export const DEMO_CLOSED_STATUS = 1;
/** The demo's segments by name, as SYNC_SEGMENT_NAMES spells them. */
export const DEMO_SEGMENT_NAMES = '101=Retail EU;102=Online Shop;103=Call Center';
/** The demo's statuses by label, as SYNC_STATUS_LABELS spells them. */
export const DEMO_STATUS_LABELS = '0=open;1=closed';

export function demoLists(): Array<{ segmentId: number; status: number; count: number }> {
  return DEMO_SEGMENTS.flatMap((segmentId) => [
    { segmentId, status: DEMO_OPEN_STATUS, count: 240 + segmentId },
    { segmentId, status: DEMO_CLOSED_STATUS, count: 60 },
  ]);
}
