CREATE TABLE "project_figures" (
	"project_id" uuid PRIMARY KEY NOT NULL,
	"county_id" uuid,
	"township_id" uuid,
	"state" "project_state",
	"created_at" timestamp with time zone,
	"ceiling_fen" bigint,
	"projects" integer DEFAULT 0 NOT NULL,
	"latest_deadline" timestamp with time zone,
	"tendered" integer DEFAULT 0 NOT NULL,
	"tenders" integer DEFAULT 0 NOT NULL,
	"opened" integer DEFAULT 0 NOT NULL,
	"bids" integer DEFAULT 0 NOT NULL,
	"lt3" integer DEFAULT 0 NOT NULL,
	"b3" integer DEFAULT 0 NOT NULL,
	"b4to5" integer DEFAULT 0 NOT NULL,
	"b6to9" integer DEFAULT 0 NOT NULL,
	"b10plus" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"awarded" integer DEFAULT 0 NOT NULL,
	"awarded_fen" bigint DEFAULT 0 NOT NULL,
	"reduction_sum_bp" double precision,
	"award_seconds" double precision[]
);
--> statement-breakpoint
CREATE TABLE "project_figures_queue" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"project_id" uuid NOT NULL
);
--> statement-breakpoint
ALTER TABLE "project_figures" ADD CONSTRAINT "project_figures_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "project_figures_county_idx" ON "project_figures" USING btree ("county_id","township_id");--> statement-breakpoint
-- Every write to a project or to its tenders, openings, evaluations or awards queues the project for the
-- dashboard (ADR 0023), in the writing transaction: one statement trigger per table and event, each
-- reading its transition table. Keys never change on update, so the new rows name every project touched;
-- a deleted project's figures go with it (ON DELETE CASCADE).
CREATE FUNCTION project_figures_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'projects' THEN
    INSERT INTO project_figures_queue (project_id) SELECT DISTINCT id FROM new_rows;
  ELSIF TG_TABLE_NAME = 'tenders' THEN
    IF TG_OP = 'DELETE' THEN
      INSERT INTO project_figures_queue (project_id) SELECT DISTINCT project_id FROM old_rows;
    ELSE
      INSERT INTO project_figures_queue (project_id) SELECT DISTINCT project_id FROM new_rows;
    END IF;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO project_figures_queue (project_id) SELECT DISTINCT t.project_id FROM old_rows r JOIN tenders t ON t.id = r.tender_id;
  ELSE
    INSERT INTO project_figures_queue (project_id) SELECT DISTINCT t.project_id FROM new_rows r JOIN tenders t ON t.id = r.tender_id;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER projects_figures_insert AFTER INSERT ON projects REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION project_figures_enqueue();--> statement-breakpoint
CREATE TRIGGER projects_figures_update AFTER UPDATE ON projects REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION project_figures_enqueue();--> statement-breakpoint
CREATE TRIGGER tenders_figures_insert AFTER INSERT ON tenders REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION project_figures_enqueue();--> statement-breakpoint
CREATE TRIGGER tenders_figures_update AFTER UPDATE ON tenders REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION project_figures_enqueue();--> statement-breakpoint
CREATE TRIGGER tenders_figures_delete AFTER DELETE ON tenders REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION project_figures_enqueue();--> statement-breakpoint
CREATE TRIGGER openings_figures_insert AFTER INSERT ON openings REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION project_figures_enqueue();--> statement-breakpoint
CREATE TRIGGER openings_figures_update AFTER UPDATE ON openings REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION project_figures_enqueue();--> statement-breakpoint
CREATE TRIGGER openings_figures_delete AFTER DELETE ON openings REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION project_figures_enqueue();--> statement-breakpoint
CREATE TRIGGER evaluations_figures_insert AFTER INSERT ON evaluations REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION project_figures_enqueue();--> statement-breakpoint
CREATE TRIGGER evaluations_figures_update AFTER UPDATE ON evaluations REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION project_figures_enqueue();--> statement-breakpoint
CREATE TRIGGER evaluations_figures_delete AFTER DELETE ON evaluations REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION project_figures_enqueue();--> statement-breakpoint
CREATE TRIGGER awards_figures_insert AFTER INSERT ON awards REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION project_figures_enqueue();--> statement-breakpoint
CREATE TRIGGER awards_figures_update AFTER UPDATE ON awards REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION project_figures_enqueue();--> statement-breakpoint
CREATE TRIGGER awards_figures_delete AFTER DELETE ON awards REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION project_figures_enqueue();--> statement-breakpoint
-- The projects that exist already: queued, so the first refresh (the dashboard or the scheduler's job) builds their figures.
INSERT INTO project_figures_queue (project_id) SELECT id FROM projects;
