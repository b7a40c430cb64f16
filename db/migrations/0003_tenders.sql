CREATE TYPE "public"."evaluation_method" AS ENUM('lowest_price', 'reasonable_low', 'comprehensive', 'random_draw');--> statement-breakpoint
CREATE TABLE "templates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"county_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"note" text,
	"created_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "templates_county_version" UNIQUE("county_id","version")
);
--> statement-breakpoint
CREATE TABLE "tender_attachments" (
	"tender_id" uuid NOT NULL,
	"file_sha256" text NOT NULL,
	"file_name" text NOT NULL,
	CONSTRAINT "tender_attachments_tender_id_file_sha256_pk" PRIMARY KEY("tender_id","file_sha256")
);
--> statement-breakpoint
CREATE TABLE "tenders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"round" integer NOT NULL,
	"template_id" uuid NOT NULL,
	"template_version" integer NOT NULL,
	"qualification_class" text NOT NULL,
	"require_pm_certificate" boolean NOT NULL,
	"require_pool_member" boolean NOT NULL,
	"other_requirements" text,
	"deadline" timestamp with time zone NOT NULL,
	"decryption_window_minutes" integer NOT NULL,
	"bid_security_fen" bigint NOT NULL,
	"evaluation_method" "evaluation_method" NOT NULL,
	"evaluation_params" jsonb NOT NULL,
	"panel_size" integer NOT NULL,
	"document_text" text NOT NULL,
	"published_at" timestamp with time zone NOT NULL,
	"published_by" uuid,
	CONSTRAINT "tenders_project_round" UNIQUE("project_id","round")
);
--> statement-breakpoint
ALTER TABLE "templates" ADD CONSTRAINT "templates_county_id_orgs_id_fk" FOREIGN KEY ("county_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "templates" ADD CONSTRAINT "templates_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tender_attachments" ADD CONSTRAINT "tender_attachments_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tender_attachments" ADD CONSTRAINT "tender_attachments_file_sha256_files_sha256_fk" FOREIGN KEY ("file_sha256") REFERENCES "public"."files"("sha256") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenders" ADD CONSTRAINT "tenders_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenders" ADD CONSTRAINT "tenders_template_id_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."templates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenders" ADD CONSTRAINT "tenders_published_by_users_id_fk" FOREIGN KEY ("published_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tenders_deadline_idx" ON "tenders" USING btree ("deadline");