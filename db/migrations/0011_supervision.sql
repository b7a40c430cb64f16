CREATE TYPE "public"."credit_kind" AS ENUM('warning', 'deduction', 'suspension', 'blacklist');--> statement-breakpoint
CREATE TYPE "public"."credit_subject" AS ENUM('company', 'expert');--> statement-breakpoint
CREATE TABLE "activity_traces" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tender_id" uuid NOT NULL,
	"company_id" uuid NOT NULL,
	"user_id" uuid,
	"kind" text NOT NULL,
	"ip" text,
	"device_id" text,
	"credential_id" text,
	"user_agent" text,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "archives" (
	"project_id" uuid PRIMARY KEY NOT NULL,
	"county_id" uuid NOT NULL,
	"township_id" uuid NOT NULL,
	"village_id" uuid NOT NULL,
	"final_state" text NOT NULL,
	"year" integer NOT NULL,
	"pdf_sha256" text NOT NULL,
	"zip_sha256" text NOT NULL,
	"zip_size" integer NOT NULL,
	"manifest" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"retain_until" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "credit_records" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"county_id" uuid NOT NULL,
	"issuer_org_id" uuid NOT NULL,
	"subject" "credit_subject" NOT NULL,
	"company_id" uuid,
	"expert_id" uuid,
	"kind" "credit_kind" NOT NULL,
	"points" integer,
	"reason" text NOT NULL,
	"project_id" uuid,
	"starts_on" date NOT NULL,
	"ends_on" date,
	"recorded_by" uuid NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"lifted_at" timestamp with time zone,
	"lifted_by" uuid,
	"lift_note" text
);
--> statement-breakpoint
CREATE TABLE "risk_reviews" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"county_id" uuid NOT NULL,
	"rule" text NOT NULL,
	"fingerprint" text NOT NULL,
	"note" text NOT NULL,
	"reviewed_by" uuid NOT NULL,
	"reviewed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "activity_traces" ADD CONSTRAINT "activity_traces_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity_traces" ADD CONSTRAINT "activity_traces_company_id_orgs_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activity_traces" ADD CONSTRAINT "activity_traces_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "archives" ADD CONSTRAINT "archives_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "archives" ADD CONSTRAINT "archives_county_id_orgs_id_fk" FOREIGN KEY ("county_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "archives" ADD CONSTRAINT "archives_township_id_orgs_id_fk" FOREIGN KEY ("township_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "archives" ADD CONSTRAINT "archives_village_id_orgs_id_fk" FOREIGN KEY ("village_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "archives" ADD CONSTRAINT "archives_pdf_sha256_files_sha256_fk" FOREIGN KEY ("pdf_sha256") REFERENCES "public"."files"("sha256") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "archives" ADD CONSTRAINT "archives_zip_sha256_files_sha256_fk" FOREIGN KEY ("zip_sha256") REFERENCES "public"."files"("sha256") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_records" ADD CONSTRAINT "credit_records_county_id_orgs_id_fk" FOREIGN KEY ("county_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_records" ADD CONSTRAINT "credit_records_issuer_org_id_orgs_id_fk" FOREIGN KEY ("issuer_org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_records" ADD CONSTRAINT "credit_records_company_id_orgs_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_records" ADD CONSTRAINT "credit_records_expert_id_users_id_fk" FOREIGN KEY ("expert_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_records" ADD CONSTRAINT "credit_records_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_records" ADD CONSTRAINT "credit_records_recorded_by_users_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_records" ADD CONSTRAINT "credit_records_lifted_by_users_id_fk" FOREIGN KEY ("lifted_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "risk_reviews" ADD CONSTRAINT "risk_reviews_county_id_orgs_id_fk" FOREIGN KEY ("county_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "risk_reviews" ADD CONSTRAINT "risk_reviews_reviewed_by_users_id_fk" FOREIGN KEY ("reviewed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "activity_traces_tender_idx" ON "activity_traces" USING btree ("tender_id");--> statement-breakpoint
CREATE INDEX "activity_traces_company_idx" ON "activity_traces" USING btree ("company_id");--> statement-breakpoint
CREATE INDEX "archives_township_idx" ON "archives" USING btree ("township_id","year");--> statement-breakpoint
CREATE INDEX "archives_county_idx" ON "archives" USING btree ("county_id","year");--> statement-breakpoint
CREATE INDEX "credit_records_company_idx" ON "credit_records" USING btree ("company_id");--> statement-breakpoint
CREATE INDEX "credit_records_expert_idx" ON "credit_records" USING btree ("expert_id");--> statement-breakpoint
CREATE INDEX "credit_records_county_idx" ON "credit_records" USING btree ("county_id","recorded_at");--> statement-breakpoint
CREATE UNIQUE INDEX "risk_reviews_fingerprint_uniq" ON "risk_reviews" USING btree ("county_id","fingerprint");