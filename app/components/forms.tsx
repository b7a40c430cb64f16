import { useTranslation } from "react-i18next";
import type { ErrorMessage, FormErrors } from "~/utils/forms";

/** Translate an error message, with its values when it has any. */
export function useErrorText() {
  const { t } = useTranslation();
  return (m: ErrorMessage) => (typeof m === "string" ? t(m) : t(m.key, m.values));
}

/** A field's error, tied to its input by id for screen readers. */
export function FieldError({ id, errors, name }: { id: string; errors?: FormErrors; name: string }) {
  const text = useErrorText();
  const message = errors?.[name];
  if (!message) return null;
  return (
    <p className="field-error" id={id} role="alert">
      {text(message)}
    </p>
  );
}

export function FormError({ errors }: { errors?: FormErrors }) {
  const text = useErrorText();
  if (!errors?.form) return null;
  return (
    <p className="form-error" role="alert">
      {text(errors.form)}
    </p>
  );
}

/** Every error of a form, field errors too: for pages with many small forms, where a field name is not unique. */
export function ErrorSummary({ errors }: { errors?: FormErrors }) {
  const text = useErrorText();
  const messages = Object.values(errors ?? {}).filter((m): m is ErrorMessage => Boolean(m));
  if (messages.length === 0) return null;
  return (
    <div className="form-error" role="alert">
      {messages.map((m, i) => (
        <p key={i}>{text(m)}</p>
      ))}
    </div>
  );
}

/** A translated error message (a translation key), announced to screen readers; nothing when there is none. */
export function ErrorText({ messageKey }: { messageKey: string | null }) {
  const { t } = useTranslation();
  if (!messageKey) return null;
  return (
    <p className="form-error" role="alert">
      {t(messageKey)}
    </p>
  );
}

export function Notice({ children }: { children: React.ReactNode }) {
  return (
    <p className="notice" role="status">
      {children}
    </p>
  );
}
