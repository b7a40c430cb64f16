CREATE TABLE "platform_keys" (
	"name" text PRIMARY KEY NOT NULL,
	"cert_pem" text NOT NULL,
	"key_pem" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "signature_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"purpose" text NOT NULL,
	"object_id" text NOT NULL,
	"prepared_sha256" text NOT NULL,
	"byte_range" jsonb NOT NULL,
	"digest" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "signer_certificates" (
	"credential_id" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"cert_pem" text NOT NULL,
	"key_pem" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "openings" ADD COLUMN "record_signed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "openings" ADD COLUMN "record_signed_by" uuid;--> statement-breakpoint
ALTER TABLE "signature_requests" ADD CONSTRAINT "signature_requests_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signer_certificates" ADD CONSTRAINT "signer_certificates_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "openings" ADD CONSTRAINT "openings_record_signed_by_users_id_fk" FOREIGN KEY ("record_signed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;