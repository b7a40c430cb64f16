CREATE TYPE "public"."bid_status" AS ENUM('sealed', 'withdrawn');--> statement-breakpoint
CREATE TYPE "public"."bid_version_kind" AS ENUM('sealed', 'withdrawal');--> statement-breakpoint
CREATE TYPE "public"."bid_wrap_kind" AS ENUM('passkey', 'backup');--> statement-breakpoint
ALTER TYPE "public"."challenge_purpose" ADD VALUE 'opening_key';--> statement-breakpoint
CREATE TABLE "bid_key_wraps" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"version_id" uuid NOT NULL,
	"kind" "bid_wrap_kind" NOT NULL,
	"credential_id" text,
	"user_id" uuid,
	"epk" text,
	"iv" text NOT NULL,
	"wrapped" text NOT NULL,
	"wrapped_sha256" text NOT NULL,
	"retired_at" timestamp with time zone,
	CONSTRAINT "bid_key_wraps_wrapped_sha256_unique" UNIQUE("wrapped_sha256")
);
--> statement-breakpoint
CREATE TABLE "bid_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"bid_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"kind" "bid_version_kind" NOT NULL,
	"submission_id" uuid NOT NULL,
	"ciphertext_sha256" text,
	"ciphertext_size" bigint,
	"plaintext_hash" text,
	"commitment" text NOT NULL,
	"sealing_script_version" text,
	"sealing_script_sha256" text,
	"received_at" timestamp with time zone NOT NULL,
	"submitted_by" uuid NOT NULL,
	CONSTRAINT "bid_versions_submission_id_unique" UNIQUE("submission_id"),
	CONSTRAINT "bid_versions_bid_seq" UNIQUE("bid_id","seq")
);
--> statement-breakpoint
CREATE TABLE "bids" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tender_id" uuid NOT NULL,
	"company_id" uuid NOT NULL,
	"status" "bid_status" NOT NULL,
	"current_version" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"opened_project_manager_id" uuid,
	"awarded_at" timestamp with time zone,
	CONSTRAINT "bids_tender_company" UNIQUE("tender_id","company_id")
);
--> statement-breakpoint
ALTER TABLE "passkeys" ADD COLUMN "opening_public_key" text;--> statement-breakpoint
ALTER TABLE "passkeys" ADD COLUMN "opening_key_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "bid_key_wraps" ADD CONSTRAINT "bid_key_wraps_version_id_bid_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."bid_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bid_key_wraps" ADD CONSTRAINT "bid_key_wraps_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bid_versions" ADD CONSTRAINT "bid_versions_bid_id_bids_id_fk" FOREIGN KEY ("bid_id") REFERENCES "public"."bids"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bid_versions" ADD CONSTRAINT "bid_versions_ciphertext_sha256_files_sha256_fk" FOREIGN KEY ("ciphertext_sha256") REFERENCES "public"."files"("sha256") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bid_versions" ADD CONSTRAINT "bid_versions_submitted_by_users_id_fk" FOREIGN KEY ("submitted_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bids" ADD CONSTRAINT "bids_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bids" ADD CONSTRAINT "bids_company_id_orgs_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bids" ADD CONSTRAINT "bids_opened_project_manager_id_project_managers_id_fk" FOREIGN KEY ("opened_project_manager_id") REFERENCES "public"."project_managers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "bid_key_wraps_version_idx" ON "bid_key_wraps" USING btree ("version_id");--> statement-breakpoint
CREATE INDEX "bid_key_wraps_credential_idx" ON "bid_key_wraps" USING btree ("credential_id");