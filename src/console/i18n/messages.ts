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
}

/** Each language's name in itself, for the language select. */
export const LANGUAGE_NAMES: Readonly<Record<ConsoleLanguage, string>> = {
  en: 'English',
  es: 'Español',
  fr: 'Français',
  de: 'Deutsch',
};
