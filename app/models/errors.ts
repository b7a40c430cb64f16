/**
 * A refusal the user can act on. `key` is a translation key (errors.*) so
 * the route shows it in the user's language; `field` ties it to a form field.
 */
export class DomainError extends Error {
  constructor(
    readonly key: string,
    readonly options: { field?: string; values?: Record<string, string | number>; status?: number } = {},
  ) {
    super(key);
    this.name = "DomainError";
  }
}
