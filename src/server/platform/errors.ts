import type { ApiErrorCode, ValidationIssue } from '../../contract/index.js';

/**
 * What went wrong, in the domain's words: a stable code from the contract, a sentence for people,
 * and for invalid input the fields at fault. Domain code knows no HTTP status: `http/errors.ts`
 * maps each code to one in a single table.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly issues?: ValidationIssue[],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string): DomainError => new DomainError('not_found', `${what} was not found.`);
