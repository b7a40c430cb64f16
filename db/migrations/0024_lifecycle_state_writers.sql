-- Every lifecycle's state is changed only by its writer (app/models/lifecycle.server.ts, ADR 0038):
-- the same trigger function as the project's (migration 0023), one trigger per state column, each
-- wanting the marker its lifecycle's writer sets (`set_config('cyz.writer', '<lifecycle>', true)`).
-- Inserts (a new row in its table's first state, through the writer module's insert functions) are not held.
CREATE TRIGGER "openings_state_writer" BEFORE UPDATE OF "state" ON "openings" FOR EACH ROW WHEN (OLD."state" IS DISTINCT FROM NEW."state") EXECUTE FUNCTION "lifecycle_state_writer"('opening');
--> statement-breakpoint
CREATE TRIGGER "bid_openings_status_writer" BEFORE UPDATE OF "status" ON "bid_openings" FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status") EXECUTE FUNCTION "lifecycle_state_writer"('bid_opening');
--> statement-breakpoint
CREATE TRIGGER "bids_status_writer" BEFORE UPDATE OF "status" ON "bids" FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status") EXECUTE FUNCTION "lifecycle_state_writer"('bid');
--> statement-breakpoint
CREATE TRIGGER "evaluations_state_writer" BEFORE UPDATE OF "state" ON "evaluations" FOR EACH ROW WHEN (OLD."state" IS DISTINCT FROM NEW."state") EXECUTE FUNCTION "lifecycle_state_writer"('evaluation');
--> statement-breakpoint
CREATE TRIGGER "awards_state_writer" BEFORE UPDATE OF "state" ON "awards" FOR EACH ROW WHEN (OLD."state" IS DISTINCT FROM NEW."state") EXECUTE FUNCTION "lifecycle_state_writer"('award');
--> statement-breakpoint
CREATE TRIGGER "complaints_state_writer" BEFORE UPDATE OF "state" ON "complaints" FOR EACH ROW WHEN (OLD."state" IS DISTINCT FROM NEW."state") EXECUTE FUNCTION "lifecycle_state_writer"('complaint');
--> statement-breakpoint
CREATE TRIGGER "objections_state_writer" BEFORE UPDATE OF "state" ON "objections" FOR EACH ROW WHEN (OLD."state" IS DISTINCT FROM NEW."state") EXECUTE FUNCTION "lifecycle_state_writer"('objection');
--> statement-breakpoint
CREATE TRIGGER "panel_members_status_writer" BEFORE UPDATE OF "status" ON "panel_members" FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status") EXECUTE FUNCTION "lifecycle_state_writer"('panel_member');
--> statement-breakpoint
CREATE TRIGGER "pool_memberships_status_writer" BEFORE UPDATE OF "status" ON "pool_memberships" FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status") EXECUTE FUNCTION "lifecycle_state_writer"('pool_membership');
