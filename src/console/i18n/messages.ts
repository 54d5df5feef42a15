import type { ConsoleEnvironment, ConsoleLanguage } from '../api-types.js';

export type ConsoleTheme = 'auto' | 'light' | 'dark';

/**
 * Every string the console's shell shows (the views have their own tables). One object per
 * language, so a missing key is a type error; plurals and values are plain functions.
 */
export interface ConsoleMessages {
  /** BCP 47 tag; becomes `<html lang>`. */
  locale: string;
  appName: string;
  skipToContent: string;
  mainNav: string;
  /** The header's disclosure button on narrow screens (nav, language, theme, sign-out). */
  menu: string;
  nav: { integrations: string; users: string; logs: string; deliveries: string; settings: string };
  environment: string;
  environments: Record<ConsoleEnvironment, string>;
  language: string;
  theme: string;
  themes: Record<ConsoleTheme, string>;
  signedInAs: (username: string) => string;
  signOut: string;
  loading: string;
  retry: string;
  cancel: string;
  loadFailed: string;
  /** A failure with the server's request id, for support. */
  requestId: (id: string) => string;
  networkError: string;
  sessionEnded: string;
  notFoundTitle: string;
  notFoundText: string;
  backToIntegrations: string;
  /** The builder's test-run panel (`<alloy-console-test-run>`). */
  testRun: {
    title: string;
    intro: string;
    searchUsers: string;
    user: string;
    noUsers: string;
    sampleData: string;
    sampleDataHelp: string;
    /** The user-configurable fields' inputs: their heading and what they do. */
    configTitle: string;
    configHelp: string;
    /** Under a field that takes several values. */
    configListHelp: string;
    invalidJson: (detail: string) => string;
    notAnObject: string;
    run: string;
    running: string;
    needBlocks: string;
    needUser: string;
    succeeded: string;
    failed: string;
    results: string;
    statuses: Record<'success' | 'error' | 'skipped', string>;
    input: string;
    output: string;
    error: string;
    inputOf: (block: string) => string;
    outputOf: (block: string) => string;
    duration: (ms: number) => string;
  };
  signIn: {
    title: string;
    intro: string;
    username: string;
    password: string;
    submit: string;
    submitting: string;
    wrongCredentials: string;
    rateLimited: (seconds: number | undefined) => string;
    failed: string;
  };
  setupRequired: { title: string; text: string };
  setup: {
    title: string;
    intro: string;
    username: string;
    password: string;
    passwordHint: string;
    confirm: string;
    submit: string;
    submitting: string;
    required: string;
    tooShort: string;
    tooLong: string;
    mismatch: string;
    noToken: string;
    rejected: string;
    failed: string;
  };
  settings: {
    title: string;
    keysTitle: string;
    keysIntro: string;
    keyActive: (hint: string | undefined) => string;
    keyNone: string;
    keyCreated: (date: string) => string;
    create: string;
    rotate: string;
    revoke: string;
    rotateTitle: (env: string) => string;
    rotateText: string;
    revokeTitle: (env: string) => string;
    revokeText: string;
    newKeyTitle: (env: string) => string;
    newKeyLabel: string;
    newKeyWarning: string;
    copy: string;
    copied: string;
    copyFailed: string;
    done: string;
    keyRevoked: (env: string) => string;
    urlsTitle: (env: string) => string;
    urlsIntro: string;
    installationWebhookUrl: string;
    installationWebhookHelp: string;
    errorStreamUrl: string;
    errorStreamHelp: string;
    invalidUrl: string;
    save: string;
    saving: string;
    saved: string;
    signingTitle: string;
    webhookSecret: string;
    webhookSecretHelp: string;
    show: string;
    hide: string;
    publicKeyUrl: string;
    publicKeyHelp: string;
  };
  /** The Active switch of an integration (`alloy-console-active-switch`). */
  activeSwitch: {
    label: string;
    on: string;
    off: string;
    saving: string;
    /** Shown (role=alert) when the change failed and the switch went back. */
    failed: (message: string) => string;
  };
  /** The users of a workflow with the version each runs (`alloy-console-version-users`, in the builder). */
  versionUsers: {
    title: string;
    empty: string;
    user: string;
    version: string;
    state: string;
    installed: string;
    active: string;
    paused: string;
    /** The version number when it is the newest one. */
    latest: (version: number) => string;
  };
  /** The integration page, the New integration dialog and the workflow builder. */
  builder: BuilderMessages;
}

/** The builder's strings (src/console/views/{integration-page,new-integration-dialog,workflow-builder}). */
export interface BuilderMessages {
  // New integration dialog
  newIntegration: string;
  app: string;
  chooseApp: string;
  name: string;
  description: string;
  create: string;
  creating: string;
  cancel: string;
  // Integration page
  allIntegrations: string;
  definedInCode: (file: string) => string;
  madeInConsole: string;
  workflowsTitle: string;
  workflowsEmpty: string;
  version: (version: number) => string;
  unreleasedChanges: string;
  newWorkflow: string;
  installs: (count: number) => string;
  // The flow
  flowTitle: string;
  triggerLabel: string;
  noTrigger: string;
  addBlock: string;
  addBlockAfter: (name: string) => string;
  addBlockFirst: string;
  moveUp: (name: string) => string;
  moveDown: (name: string) => string;
  remove: (name: string) => string;
  edit: (name: string) => string;
  /** What Edit / Remove / Move up / Move down show on a card (the full name, e.g. `edit(name)`, is read). */
  editShort: string;
  removeShort: string;
  moveUpShort: string;
  moveDownShort: string;
  untitled: string;
  triggerTypes: Record<'appEvent' | 'customEvent' | 'webhook' | 'onInstallation', string>;
  blockTypes: Record<'streamData' | 'connectorAction' | 'httpRequest', string>;
  // Panels
  panelTitle: (name: string) => string;
  closePanel: string;
  type: string;
  chooseType: string;
  event: string;
  chooseEvent: string;
  eventName: string;
  schemaTitle: string;
  schemaField: string;
  schemaType: string;
  optional: string;
  addSchemaField: string;
  removeSchemaField: (name: string) => string;
  action: string;
  chooseAction: string;
  fieldsTitle: string;
  addField: string;
  removeField: (name: string) => string;
  // Field editor
  fieldName: string;
  displayName: string;
  fieldType: string;
  required: string;
  userConfigurable: string;
  help: string;
  placeholder: string;
  rules: string;
  minLength: string;
  maxLength: string;
  min: string;
  max: string;
  pattern: string;
  patternMessage: string;
  options: string;
  optionsHelp: string;
  value: string;
  insertVariable: (field: string) => string;
  variablesTitle: string;
  noVariables: string;
  // Autosave, issues, release
  saving: string;
  saved: string;
  saveFailed: string;
  retry: string;
  conflict: string;
  keepMine: string;
  loadTheirs: string;
  issuesTitle: (count: number) => string;
  issueOn: (where: string, message: string) => string;
  release: string;
  releaseTitle: (version: number) => string;
  releaseText: string;
  releaseConfirm: string;
  releasing: string;
  released: (version: number) => string;
  nothingChanged: string;
  fixIssuesFirst: string;
  // Versions and code workflows
  versionsTitle: string;
  versionsEmpty: string;
  versionColumn: string;
  releasedAtColumn: string;
  installsColumn: string;
  reinstallColumn: string;
  needsReinstall: string;
  upgradeInPlace: string;
  codeBanner: (file: string) => string;
  latestVersion: (version: number) => string;
  workflowName: string;
}

/** Each language's name in itself, for the language select. */
export const LANGUAGE_NAMES: Readonly<Record<ConsoleLanguage, string>> = {
  en: 'English',
  es: 'Español',
  fr: 'Français',
  de: 'Deutsch',
};
