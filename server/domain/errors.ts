import type { MessageKey } from '../i18n/messages.ts';

export type ErrorKind = 'bad_request' | 'unauthorized' | 'forbidden' | 'not_found' | 'conflict' | 'too_large' | 'unprocessable';

/**
 * An error a caller can act on: a kind (mapped to an HTTP status at the edge) and a message key
 * with parameters, rendered in Swedish or English where it is answered.
 */
export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly key: MessageKey,
    readonly params: Record<string, string | number> = {},
    readonly extra: Record<string, unknown> = {},
  ) {
    super(`${kind}: ${key} ${JSON.stringify(params)}`);
  }
}
