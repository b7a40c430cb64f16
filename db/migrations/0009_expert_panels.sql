CREATE TYPE "public"."panel_member_status" AS ENUM('assigned', 'accepted', 'recused', 'unused');--> statement-breakpoint
CREATE TYPE "public"."panel_role" AS ENUM('member', 'reserve');--> statement-breakpoint
CREATE TABLE "panel_members" (
	"tender_id" uuid NOT NULL,
	"expert_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"role" "panel_role" NOT NULL,
	"status" "panel_member_status" NOT NULL,
	"declared_at" timestamp with time zone,
	"recuse_reason" text,
	CONSTRAINT "panel_members_tender_id_expert_id_pk" PRIMARY KEY("tender_id","expert_id")
);
--> statement-breakpoint
CREATE TABLE "panels" (
	"tender_id" uuid PRIMARY KEY NOT NULL,
	"specialty" text,
	"size" integer NOT NULL,
	"reserves" integer NOT NULL,
	"seed" text NOT NULL,
	"exclusions" jsonb NOT NULL,
	"drawn_at" timestamp with time zone NOT NULL,
	"drawn_by" uuid
);
--> statement-breakpoint
ALTER TABLE "experts" ADD COLUMN "declared_relations" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "experts" ADD COLUMN "past_employers" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "experts" ADD COLUMN "available" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "experts" ADD COLUMN "suspended_until" date;--> statement-breakpoint
ALTER TABLE "panel_members" ADD CONSTRAINT "panel_members_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "panel_members" ADD CONSTRAINT "panel_members_expert_id_users_id_fk" FOREIGN KEY ("expert_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "panels" ADD CONSTRAINT "panels_tender_id_tenders_id_fk" FOREIGN KEY ("tender_id") REFERENCES "public"."tenders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "panels" ADD CONSTRAINT "panels_drawn_by_users_id_fk" FOREIGN KEY ("drawn_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;