ALTER TYPE "public"."challenge_purpose" ADD VALUE 'bid_withdraw';--> statement-breakpoint
ALTER TYPE "public"."challenge_purpose" ADD VALUE 'bid_replace';--> statement-breakpoint
ALTER TABLE "reset_codes" ADD COLUMN "used_for" text;--> statement-breakpoint
CREATE INDEX "audit_login_idx" ON "audit_log" USING btree ("actor_user_id","at") WHERE action = 'auth.login';--> statement-breakpoint
UPDATE "reset_codes" SET "used_for" = 'password' WHERE "used_at" IS NOT NULL AND "id"::text IN (SELECT "summary"->>'resetCodeId' FROM "audit_log" WHERE "action" = 'auth.password_reset');--> statement-breakpoint
UPDATE "reset_codes" SET "used_for" = 'step_up' WHERE "used_at" IS NOT NULL AND "used_for" IS NULL;
