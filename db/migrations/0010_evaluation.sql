CREATE TYPE "public"."award_state" AS ENUM('pending_approval', 'rejected', 'approved', 'signed');--> statement-breakpoint
CREATE TYPE "public"."complaint_state" AS ENUM('filed', 'rejected', 'accepted', 'upheld', 'dismissed');--> statement-breakpoint
CREATE TYPE "public"."evaluation_state" AS ENUM('checking', 'secret', 'scoring', 'review', 'explaining', 'opinions', 'signing', 'done');--> statement-breakpoint
CREATE TYPE "public"."objection_state" AS ENUM('open', 'answered');--> statement-breakpoint
CREATE TABLE "awards" (
	"tender_id" uuid PRIMARY KEY NOT NULL,
	"winner_bid_id" uuid NOT NULL,
	"price_fen" bigint NOT NULL,
	"state" "award_state" NOT NULL,
	"reasons" text,
	"decided_by" uuid NOT NULL,
	"decided_at" timestamp with time zone NOT NULL,
	"approved_by" uuid,
	"approved_at" timestamp with time zone,
	"approval_note" text,
	"notice_pdf_sha256" text,
	"signed_at" timestamp with time zone,
	"signed_by" uuid,
	"contract_date" date,
	"acceptance_date" date,
	"settlement_fen" bigint
);
--> statement-breakpoint
CREATE TABLE "clarifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tender_id" uuid NOT NULL,
	"bid_id" uuid NOT NULL,
	"asked_by" uuid NOT NULL,
	"question" text NOT NULL,
	"asked_at" timestamp with time zone NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"answer" text,
	"answered_by" uuid,
	"answered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "complaints" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tender_id" uuid NOT NULL,
	"company_id" uuid NOT NULL,
	"filed_by" uuid NOT NULL,
	"body" text NOT NULL,
	"filed_at" timestamp with time zone NOT NULL,
	"accept_due_at" timestamp with time zone NOT NULL,
	"decide_due_at" timestamp with time zone,
	"state" "complaint_state" NOT NULL,
	"handled_by" uuid,
	"accepted_at" timestamp with time zone,
	"decided_at" timestamp with time zone,
	"outcome" text
);
--> statement-breakpoint
CREATE TABLE "draw_secrets" (
	"tender_id" uuid PRIMARY KEY NOT NULL,
	"secret" text NOT NULL,
	"commitment" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"revealed_at" timestamp with time zone,
	"revealed_by" uuid
);
--> statement-breakpoint
CREATE TABLE "evaluation_members" (
	"tender_id" uuid NOT NULL,
	"expert_id" uuid NOT NULL,
	"checks_at" timestamp with time zone,
	"scores_at" timestamp with time zone,
	"review_at" timestamp with time zone,
	"opinion" text,
	"dissent" text,
	"opinion_at" timestamp with time zone,
	"deemed_agree_by" uuid,
	"signed_at" timestamp with time zone,
	"refused_at" timestamp with time zone,
	"refusal_note" text,
	CONSTRAINT "evaluation_members_tender_id_expert_id_pk" PRIMARY KEY("tender_id","expert_id")
);
--> statement-breakpoint
CREATE TABLE "evaluations" (
	"tender_id" uuid PRIMARY KEY NOT NULL,
	"state" "evaluation_state" NOT NULL,
	"step_started_at" timestamp with time zone NOT NULL,
	"qualified_bid_ids" jsonb,
	"qualified_list_hash" text,
	"locked_at" timestamp with time zone,
	"seed" text,
	"result" jsonb,
	"computed_at" timestamp with time zone,
	"report_pdf_sha256" text,
	"report_slots" jsonb,
	"report_completed_at" timestamp with time zone,
	"fail_reason" jsonb,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "expert_scores" (
	"tender_id" uuid NOT NULL,
	"bid_id" uuid NOT NULL,
	"expert_id" uuid NOT NULL,
	"score" integer NOT NULL,
	"flagged_by" jsonb NOT NULL,
	"explanation" text,
	"accepted_replacement" boolean NOT NULL,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "expert_scores_tender_id_bid_id_expert_id_pk" PRIMARY KEY("tender_id","bid_id","expert_id")
);
--> statement-breakpoint
CREATE TABLE "objections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tender_id" uuid NOT NULL,
	"company_id" uuid NOT NULL,
	"filed_by" uuid NOT NULL,
	"body" text NOT NULL,
	"filed_at" timestamp with time zone NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"state" "objection_state" NOT NULL,
	"answer" text,
	"answered_by" uuid,
	"answered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "publicities" (
	"tender_id" uuid PRIMARY KEY NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"candidates" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "qualification_checks" (
	"tender_id" uuid NOT NULL,
	"bid_id" uuid NOT NULL,
	"expert_id" uuid NOT NULL,
	"pass" boolean NOT NULL,
	"reason" text,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "qualification_checks_tender_id_bid_id_expert_id_pk" PRIMARY KEY("tender_id","bid_id","expert_id")
);
--> statement-breakpoint
CREATE TABLE "security_releases" (
	"bid_id" uuid PRIMARY KEY NOT NULL,
	"tender_id" uuid NOT NULL,
	"amount_fen" bigint NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"released_at" timestamp with time zone,
	"released_by" uuid,
	"note" text
);
--> statement-breakpoint
ALTER TABLE "tenders" ADD COLUMN "draw_commitment" text;--> statement-breakpoint
ALTER TABLE "awards" ADD CONSTRAINT "awards_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "awards" ADD CONSTRAINT "awards_winner_bid_id_bids_id_fk" FOREIGN KEY ("winner_bid_id") REFERENCES "public"."bids"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "awards" ADD CONSTRAINT "awards_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "awards" ADD CONSTRAINT "awards_approved_by_users_id_fk" FOREIGN KEY ("approved_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "awards" ADD CONSTRAINT "awards_notice_pdf_sha256_files_sha256_fk" FOREIGN KEY ("notice_pdf_sha256") REFERENCES "public"."files"("sha256") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "awards" ADD CONSTRAINT "awards_signed_by_users_id_fk" FOREIGN KEY ("signed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clarifications" ADD CONSTRAINT "clarifications_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clarifications" ADD CONSTRAINT "clarifications_bid_id_bids_id_fk" FOREIGN KEY ("bid_id") REFERENCES "public"."bids"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clarifications" ADD CONSTRAINT "clarifications_asked_by_users_id_fk" FOREIGN KEY ("asked_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clarifications" ADD CONSTRAINT "clarifications_answered_by_users_id_fk" FOREIGN KEY ("answered_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaints" ADD CONSTRAINT "complaints_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaints" ADD CONSTRAINT "complaints_company_id_orgs_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaints" ADD CONSTRAINT "complaints_filed_by_users_id_fk" FOREIGN KEY ("filed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaints" ADD CONSTRAINT "complaints_handled_by_users_id_fk" FOREIGN KEY ("handled_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "draw_secrets" ADD CONSTRAINT "draw_secrets_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "draw_secrets" ADD CONSTRAINT "draw_secrets_revealed_by_users_id_fk" FOREIGN KEY ("revealed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_members" ADD CONSTRAINT "evaluation_members_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_members" ADD CONSTRAINT "evaluation_members_expert_id_users_id_fk" FOREIGN KEY ("expert_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_members" ADD CONSTRAINT "evaluation_members_deemed_agree_by_users_id_fk" FOREIGN KEY ("deemed_agree_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluations" ADD CONSTRAINT "evaluations_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluations" ADD CONSTRAINT "evaluations_report_pdf_sha256_files_sha256_fk" FOREIGN KEY ("report_pdf_sha256") REFERENCES "public"."files"("sha256") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "expert_scores" ADD CONSTRAINT "expert_scores_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "expert_scores" ADD CONSTRAINT "expert_scores_bid_id_bids_id_fk" FOREIGN KEY ("bid_id") REFERENCES "public"."bids"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "expert_scores" ADD CONSTRAINT "expert_scores_expert_id_users_id_fk" FOREIGN KEY ("expert_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "objections" ADD CONSTRAINT "objections_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "objections" ADD CONSTRAINT "objections_company_id_orgs_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "objections" ADD CONSTRAINT "objections_filed_by_users_id_fk" FOREIGN KEY ("filed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "objections" ADD CONSTRAINT "objections_answered_by_users_id_fk" FOREIGN KEY ("answered_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "publicities" ADD CONSTRAINT "publicities_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qualification_checks" ADD CONSTRAINT "qualification_checks_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qualification_checks" ADD CONSTRAINT "qualification_checks_bid_id_bids_id_fk" FOREIGN KEY ("bid_id") REFERENCES "public"."bids"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qualification_checks" ADD CONSTRAINT "qualification_checks_expert_id_users_id_fk" FOREIGN KEY ("expert_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "security_releases" ADD CONSTRAINT "security_releases_bid_id_bids_id_fk" FOREIGN KEY ("bid_id") REFERENCES "public"."bids"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "security_releases" ADD CONSTRAINT "security_releases_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "security_releases" ADD CONSTRAINT "security_releases_released_by_users_id_fk" FOREIGN KEY ("released_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "clarifications_tender_idx" ON "clarifications" USING btree ("tender_id","asked_at");--> statement-breakpoint
CREATE INDEX "complaints_tender_idx" ON "complaints" USING btree ("tender_id","filed_at");--> statement-breakpoint
CREATE INDEX "objections_tender_idx" ON "objections" USING btree ("tender_id","filed_at");