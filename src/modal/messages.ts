/** Every string the modal shows, so a locale is one typed object (more locales arrive with i18n). */
export interface ModalMessages {
  close: string;
  loading: string;
  finishInstallation: string;
  installing: string;
  installed: string;
  retry: string;
  required: string;
  mustBeNumber: string;
  loadFailed: string;
  installFailed: string;
  fixErrors: string;
  configureIntro: (integrationName: string) => string;
  noConfiguration: string;
}

export const en: ModalMessages = {
  close: 'Close',
  loading: 'Loading integration…',
  finishInstallation: 'Finish Installation',
  installing: 'Installing…',
  installed: 'Installation complete.',
  retry: 'Try again',
  required: 'This field is required.',
  mustBeNumber: 'Enter a number.',
  loadFailed: 'We could not load this integration.',
  installFailed: 'The installation did not complete.',
  fixErrors: 'Please fix the highlighted fields.',
  configureIntro: (name) => `Set up how ${name} works for you.`,
  noConfiguration: 'Nothing to configure: press Finish Installation to turn it on.',
};
