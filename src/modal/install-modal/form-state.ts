import type { ReactiveControllerHost } from 'lit';
import type { ConfigField, CreateInstallationRequest, WidgetIntegration } from '../../contract/index.js';
import type { ModalMessages } from '../i18n/messages.js';
import { fieldKey, initialFieldValue, toWireValue, type FieldValue } from '../internal/field-values.js';
import { checkField } from '../internal/validation.js';
import type { ModalOperation, PrefilledValue } from '../options.js';

/** Errors are stored as functions of the message table, so switching the locale re-words them. */
export type Message = (messages: ModalMessages) => string;
export type WorkflowChoice = WidgetIntegration['workflows'][number];

/**
 * What the user chooses and types in the workflows and config steps, its validation, and whether it
 * changed since it was first shown. Every change asks the host for an update.
 */
export class FormState {
  selectedWorkflows = new Set<string>();
  values = new Map<string, FieldValue>();
  /** Number inputs holding text the browser cannot read as a number (their value reads as ''). */
  badNumbers = new Set<string>();
  fieldErrors = new Map<string, Message>();
  formError: Message | undefined;
  revealedSecrets = new Set<string>();
  private integration: WidgetIntegration | undefined;
  /** The form as it was first shown; differing from it means closing would lose input. */
  private pristine = '';

  constructor(
    private readonly host: ReactiveControllerHost,
    /** The message table in use (it changes with the locale). */
    private readonly text: () => ModalMessages,
  ) {}

  /** Starts the form for a loaded integration: its saved values, then the ISV's prefill, then defaults. */
  reset(
    integration: WidgetIntegration,
    offered: WorkflowChoice[],
    operation: ModalOperation,
    prefilled: PrefilledValue[] | undefined,
  ): void {
    this.integration = integration;
    // Editing keeps the user's choice of workflows when the server says which are installed.
    const installed = offered.filter((workflow) => workflow.installed !== false);
    const initial = operation === 'install' || installed.length === 0 ? offered : installed;
    this.selectedWorkflows = new Set(initial.map((workflow) => workflow.workflowId));
    this.values = new Map(integration.fields.map((field) => [fieldKey(field), this.initialValue(field, prefilled)]));
    this.badNumbers = new Set();
    this.fieldErrors = new Map();
    this.formError = undefined;
    this.revealedSecrets = new Set();
    this.pristine = this.snapshot();
    this.host.requestUpdate();
  }

  /** What the user typed (secrets included) does not outlive the session. */
  clear(): void {
    this.values = new Map();
    this.revealedSecrets = new Set();
    this.host.requestUpdate();
  }

  /** The fields of the workflows that will be installed; the server validates exactly these. */
  get activeFields(): ConfigField[] {
    return (this.integration?.fields ?? []).filter((field) => this.selectedWorkflows.has(field.workflowId));
  }

  /** Whether the form differs from what was first shown. */
  get changed(): boolean {
    return this.snapshot() !== this.pristine;
  }

  setFormError(error: Message | undefined): void {
    this.formError = error;
    this.host.requestUpdate();
  }

  setValue(field: ConfigField, value: FieldValue, badInput = false): void {
    const key = fieldKey(field);
    this.values = new Map(this.values).set(key, value);
    if (badInput !== this.badNumbers.has(key)) {
      const bad = new Set(this.badNumbers);
      if (badInput) bad.add(key);
      else bad.delete(key);
      this.badNumbers = bad;
    }
    if (this.fieldErrors.has(key)) {
      const errors = new Map(this.fieldErrors);
      errors.delete(key);
      this.fieldErrors = errors;
      if (errors.size === 0) this.formError = undefined;
    }
    this.host.requestUpdate();
  }

  toggleWorkflow(workflowId: string, on: boolean): void {
    const selected = new Set(this.selectedWorkflows);
    if (on) selected.add(workflowId);
    else selected.delete(workflowId);
    this.selectedWorkflows = selected;
    if (selected.size > 0) this.formError = undefined;
    this.host.requestUpdate();
  }

  toggleReveal(key: string): void {
    const revealed = new Set(this.revealedSecrets);
    if (!revealed.delete(key)) revealed.add(key);
    this.revealedSecrets = revealed;
    this.host.requestUpdate();
  }

  /** Whether the server holds a saved value for this secret field (an empty field keeps it). */
  secretSet(field: ConfigField): boolean {
    if (field.type !== 'secret') return false;
    const key = fieldKey(field);
    return !!this.integration?.installation?.values.some((value) => value.set && fieldKey(value) === key);
  }

  validateField(field: ConfigField): Message | undefined {
    const key = fieldKey(field);
    const value = this.values.get(key);
    // Left empty, a saved secret is kept (the install leaves it out and the server keeps it).
    if (this.secretSet(field) && toWireValue(field, value) === undefined) return undefined;
    const badInput = this.badNumbers.has(key);
    const format = (number: number) => new Intl.NumberFormat(this.text().locale).format(number);
    const problem = checkField(field, value, this.text(), format, badInput);
    return problem === undefined
      ? undefined
      : (messages) => checkField(field, value, messages, format, badInput) ?? problem;
  }

  /** Whether some active field would be refused as it stands (so a hidden install must ask). */
  hasInvalidField(): boolean {
    return this.activeFields.some((field) => this.validateField(field) !== undefined);
  }

  /** Checks every active field and shows the problems; returns how many there are. */
  validateAll(): number {
    const errors = new Map<string, Message>();
    for (const field of this.activeFields) {
      const problem = this.validateField(field);
      if (problem) errors.set(fieldKey(field), problem);
    }
    this.fieldErrors = errors;
    this.host.requestUpdate();
    return errors.size;
  }

  /** Shows problems the server found next to their fields. */
  showFieldErrors(errors: Map<string, Message>): void {
    this.fieldErrors = errors;
    const count = errors.size;
    this.formError = (m) => m.fixErrors(count);
    this.host.requestUpdate();
  }

  /** The installation request for the chosen workflows, and the fields whose values it sends, in order. */
  request(offered: WorkflowChoice[]): { request: CreateInstallationRequest; sentFields: ConfigField[] } {
    const sent = this.activeFields.flatMap((field) => {
      const value = toWireValue(field, this.values.get(fieldKey(field)));
      return value === undefined ? [] : [{ field, value }];
    });
    const request: CreateInstallationRequest = {
      integrationId: this.integration?.integrationId ?? '',
      workflowIds: offered
        .filter((workflow) => this.selectedWorkflows.has(workflow.workflowId))
        .map((workflow) => workflow.workflowId),
      values: sent.map(({ field, value }) => ({
        workflowId: field.workflowId,
        blockId: field.blockId,
        name: field.name,
        value,
      })),
    };
    return { request, sentFields: sent.map(({ field }) => field) };
  }

  /** The fields the server's `issues` point at (by index into what was sent, or by name), with its words. */
  serverErrors(issues: { path: unknown[]; message: string }[], sentFields: ConfigField[]): Map<string, Message> {
    const errors = new Map<string, Message>();
    for (const issue of issues) {
      if (issue.path[0] !== 'values') continue;
      const target = issue.path[1];
      const field =
        typeof target === 'number'
          ? sentFields[target]
          : this.activeFields.find((candidate) => candidate.name === target);
      if (field && !errors.has(fieldKey(field))) errors.set(fieldKey(field), () => issue.message);
    }
    return errors;
  }

  private snapshot(): string {
    return JSON.stringify([[...this.selectedWorkflows].sort(), [...this.values], [...this.badNumbers]]);
  }

  private initialValue(field: ConfigField, prefills: PrefilledValue[] | undefined): FieldValue {
    const key = fieldKey(field);
    const entry = this.integration?.installation?.values.find((value) => fieldKey(value) === key);
    // A saved secret is not sent back: the field starts empty, which keeps it (no prefill over it).
    if (field.type === 'secret' && entry?.set) return '';
    const saved = entry?.value;
    // The most specific prefill wins: workflow and block, then one of them, then the name alone.
    const specificity = (p: PrefilledValue) => (p.workflowId ? 2 : 0) + (p.blockId ? 1 : 0);
    const prefilled = (prefills ?? [])
      .filter(
        (p) =>
          p.name === field.name &&
          (!p.workflowId || p.workflowId === field.workflowId) &&
          (!p.blockId || p.blockId === field.blockId),
      )
      .sort((a, b) => specificity(b) - specificity(a))[0]?.value;
    return initialFieldValue(field, saved, prefilled);
  }
}
