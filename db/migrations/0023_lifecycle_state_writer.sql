-- A lifecycle's state is changed only by its writer (app/models/lifecycle.server.ts, ADR 0038):
-- the writer sets the transaction-local marker cyz.writer to the lifecycle's name around its
-- update; any other change of the state column is refused. Inserts (a new row in its first
-- state) are not held here. One function serves every lifecycle: TG_ARGV[0] is the lifecycle.
CREATE OR REPLACE FUNCTION "lifecycle_state_writer"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('cyz.writer', true), '') <> TG_ARGV[0] THEN
    RAISE EXCEPTION '%: the state is changed only by the % writer', TG_TABLE_NAME, TG_ARGV[0] USING ERRCODE = '55000';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "projects_state_writer" BEFORE UPDATE OF "state" ON "projects" FOR EACH ROW WHEN (OLD."state" IS DISTINCT FROM NEW."state") EXECUTE FUNCTION "lifecycle_state_writer"('project');
