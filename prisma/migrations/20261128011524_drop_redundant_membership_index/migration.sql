-- DropIndex
DROP INDEX "detractor_ticket_segments_segment_id_status_gone_at_idx";
