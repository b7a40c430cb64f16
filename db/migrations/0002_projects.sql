CREATE TYPE "public"."decision_step" AS ENUM('proposal', 'discussion', 'party_meeting', 'villagers_meeting', 'resolution_notice');--> statement-breakpoint
CREATE TYPE "public"."project_state" AS ENUM('draft', 'submitted', 'returned', 'approved', 'published', 'opening', 'evaluating', 'publicity', 'awarded', 'completed', 'failed', 'cancel_requested', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."project_type" AS ENUM('works', 'goods', 'services');--> statement-breakpoint
CREATE TYPE "public"."selection_method" AS ENUM('direct_award', 'self_build', 'open_selection', 'open_tender');--> statement-breakpoint
CREATE TABLE "files" (
	"sha256" text PRIMARY KEY NOT NULL,
	"size" bigint NOT NULL,
	"mime" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "project_decisions" (
	"project_id" uuid NOT NULL,
	"step" "decision_step" NOT NULL,
	"day" date NOT NULL,
	"file_sha256" text NOT NULL,
	"file_name" text NOT NULL,
	"eligible" integer,
	"attended" integer,
	"votes_for" integer,
	CONSTRAINT "project_decisions_project_id_step_pk" PRIMARY KEY("project_id","step")
);
--> statement-breakpoint
CREATE TABLE "projects" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"village_id" uuid NOT NULL,
	"township_id" uuid NOT NULL,
	"county_id" uuid NOT NULL,
	"name" text NOT NULL,
	"type" "project_type" NOT NULL,
	"location" text NOT NULL,
	"scope" text NOT NULL,
	"estimate_fen" bigint NOT NULL,
	"ceiling_fen" bigint NOT NULL,
	"funding_source" text NOT NULL,
	"duration_days" integer NOT NULL,
	"method" "selection_method" NOT NULL,
	"state" "project_state" NOT NULL,
	"state_before_cancel" "project_state",
	"splitting" jsonb,
	"splitting_justification" text,
	"return_reason" text,
	"cancel_reason" text,
	"created_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"submitted_at" timestamp with time zone,
	"decided_at" timestamp with time zone,
	"decided_by" uuid
);
--> statement-breakpoint
ALTER TABLE "project_decisions" ADD CONSTRAINT "project_decisions_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_decisions" ADD CONSTRAINT "project_decisions_file_sha256_files_sha256_fk" FOREIGN KEY ("file_sha256") REFERENCES "public"."files"("sha256") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "projects" ADD CONSTRAINT "projects_village_id_orgs_id_fk" FOREIGN KEY ("village_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "projects" ADD CONSTRAINT "projects_township_id_orgs_id_fk" FOREIGN KEY ("township_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "projects" ADD CONSTRAINT "projects_county_id_orgs_id_fk" FOREIGN KEY ("county_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "projects" ADD CONSTRAINT "projects_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "projects" ADD CONSTRAINT "projects_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "projects_village_idx" ON "projects" USING btree ("village_id","type","created_at");--> statement-breakpoint
CREATE INDEX "projects_township_state_idx" ON "projects" USING btree ("township_id","state");