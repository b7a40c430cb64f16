CREATE TYPE "public"."bid_confirmation" AS ENUM('pending', 'confirmed', 'objected', 'silent');--> statement-breakpoint
CREATE TYPE "public"."bid_opening_status" AS ENUM('waiting', 'decrypted', 'rejected', 'revoked', 'platform_withdrawn', 'withdrawn');--> statement-breakpoint
CREATE TYPE "public"."opening_state" AS ENUM('waiting', 'decrypting', 'reading', 'closed', 'failed');--> statement-breakpoint
CREATE TABLE "bid_openings" (
	"bid_id" uuid PRIMARY KEY NOT NULL,
	"tender_id" uuid NOT NULL,
	"status" "bid_opening_status" NOT NULL,
	"decrypted_at" timestamp with time zone,
	"decrypted_by" uuid,
	"price_fen" bigint,
	"duration_days" integer,
	"project_manager_id" uuid,
	"project_manager_name" text,
	"project_manager_certificate" text,
	"quality" text,
	"security" jsonb,
	"security_ok" boolean,
	"nonce" text,
	"files" jsonb,
	"reason" text,
	"confirmation" "bid_confirmation" NOT NULL,
	"confirmed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "hall_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tender_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"actor_user_id" uuid,
	"actor_role" text,
	"company_id" uuid,
	"ip" text,
	"user_agent" text,
	"payload" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "opening_signins" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tender_id" uuid NOT NULL,
	"company_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"ip" text,
	"user_agent" text,
	CONSTRAINT "opening_signins_tender_company" UNIQUE("tender_id","company_id")
);
--> statement-breakpoint
CREATE TABLE "openings" (
	"tender_id" uuid PRIMARY KEY NOT NULL,
	"state" "opening_state" NOT NULL,
	"host_user_id" uuid,
	"bid_count" integer,
	"decryption_started_at" timestamp with time zone,
	"window_ends_at" timestamp with time zone,
	"extended_at" timestamp with time zone,
	"extend_reason" text,
	"reading_started_at" timestamp with time zone,
	"confirm_ends_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"fail_reason" text,
	"record_pdf_sha256" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "bid_openings" ADD CONSTRAINT "bid_openings_bid_id_bids_id_fk" FOREIGN KEY ("bid_id") REFERENCES "public"."bids"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bid_openings" ADD CONSTRAINT "bid_openings_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bid_openings" ADD CONSTRAINT "bid_openings_decrypted_by_users_id_fk" FOREIGN KEY ("decrypted_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hall_events" ADD CONSTRAINT "hall_events_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hall_events" ADD CONSTRAINT "hall_events_actor_user_id_users_id_fk" FOREIGN KEY ("actor_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hall_events" ADD CONSTRAINT "hall_events_company_id_orgs_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opening_signins" ADD CONSTRAINT "opening_signins_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opening_signins" ADD CONSTRAINT "opening_signins_company_id_orgs_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opening_signins" ADD CONSTRAINT "opening_signins_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "openings" ADD CONSTRAINT "openings_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "openings" ADD CONSTRAINT "openings_host_user_id_users_id_fk" FOREIGN KEY ("host_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "openings" ADD CONSTRAINT "openings_record_pdf_sha256_files_sha256_fk" FOREIGN KEY ("record_pdf_sha256") REFERENCES "public"."files"("sha256") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "bid_openings_tender_idx" ON "bid_openings" USING btree ("tender_id");--> statement-breakpoint
CREATE INDEX "hall_events_tender_idx" ON "hall_events" USING btree ("tender_id","id");