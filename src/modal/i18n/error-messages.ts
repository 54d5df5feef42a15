/**
 * What the modal tells an end user when a call fails (src/modal/internal/error-copy.ts picks the
 * sentence from the error), and the labels of the Details view behind it. Sentences say what
 * happened and what to do, in the user's terms; the technical part (status, call, message, request
 * id) stays behind Details (ErrorDetailsMessages). `service` is whose service it is (the integration's name, else the
 * ISV's brand) when the modal knows it.
 */
export interface ErrorMessages {
  /** No answer at all (offline, DNS, a refused or blocked connection). */
  unreachable: (service?: string) => string;
  timeout: (service?: string) => string;
  /** The server failed (5xx) or answered something that is not the API. */
  unavailable: (service?: string) => string;
  /** Rate limited. */
  busy: string;
  /** The user's token expired or is not valid. */
  session: string;
  notFound: string;
  /** The server refused the input without naming a field the modal shows. */
  rejected: string;
  unexpected: string;
}

/**
 * The Details view's labels. English lives in `error-details-messages.ts`, which only the lazily
 * loaded Details chunk imports; the other built-in tables carry their own (as for `auth`).
 */
export interface ErrorDetailsMessages {
  /** The disclosure's label. */
  details: string;
  status: string;
  /** The call that failed (method and path). */
  request: string;
  message: string;
  requestId: string;
  copy: string;
  copied: string;
  copyFailed: string;
}
