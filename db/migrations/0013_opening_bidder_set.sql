ALTER TABLE "openings" ADD COLUMN "bidder_set" text;--> statement-breakpoint
-- Openings started before this column existed: the same set, from the sealed bids (they cannot change after the deadline).
UPDATE "openings" o SET "bidder_set" = s.companies
  FROM (SELECT b.tender_id, string_agg(b.company_id::text, ',' ORDER BY b.company_id::text) AS companies
          FROM "bids" b WHERE b.status = 'sealed' GROUP BY b.tender_id) s
 WHERE s.tender_id = o.tender_id AND o."bid_count" IS NOT NULL;
