import type { ModalMessages } from './messages.js';
/** Strings of the auth step and dynamic selects; in their own tables so the base modal chunk stays small. */
export interface AuthMessages {
  authTitle: (app: string) => string;
  authIntro: (app: string) => string;
  connectedAs: (account: string) => string;
  useDifferentAccount: string;
  useExisting: (account: string) => string;
  connect: (app: string) => string;
  orConnect: string;
  waitingForSignIn: (app: string) => string;
  cancel: string;
  popupBlocked: string;
  popupClosed: string;
  signInCancelled: string;
  signInFailed: string;
  signInExpired: string;
  connectFailed: string;
  checkingConnection: string;
  filterOptions: (field: string) => string;
  reloadOptions: (field: string) => string;
  loadingOptions: string;
  optionsFailed: string;
  noMatches: string;
}

const en: AuthMessages = {
  authTitle: (app) => `Connect ${app}`,
  authIntro: (app) => `This integration works with your ${app} account.`,
  connectedAs: (account) => `Connected as ${account}`,
  useDifferentAccount: 'Use a different account',
  useExisting: (account) => `Use ${account}`,
  connect: (app) => `Connect ${app}`,
  orConnect: 'Or sign in',
  waitingForSignIn: (app) => `Finish signing in to ${app} in the window that opened.`,
  cancel: 'Cancel',
  popupBlocked: 'Your browser blocked the sign-in window. Press Continue to open it.',
  popupClosed: 'The sign-in window was closed before you finished. Try again.',
  signInCancelled: 'Access was not granted. Try again when you are ready.',
  signInFailed: 'Signing in did not work. Try again.',
  signInExpired: 'Signing in took too long. Try again.',
  connectFailed: 'We could not connect the account. Try again.',
  checkingConnection: 'Checking the connection…',
  filterOptions: (field) => `Search ${field}`,
  reloadOptions: (field) => `Reload ${field}`,
  loadingOptions: 'Loading options…',
  optionsFailed: 'We could not load the options.',
  noMatches: 'No options match your search.',
};

const es: AuthMessages = {
  authTitle: (app) => `Conectar ${app}`,
  authIntro: (app) => `Esta integración funciona con tu cuenta de ${app}.`,
  connectedAs: (account) => `Conectado como ${account}`,
  useDifferentAccount: 'Usar otra cuenta',
  useExisting: (account) => `Usar ${account}`,
  connect: (app) => `Conectar ${app}`,
  orConnect: 'O inicia sesión',
  waitingForSignIn: (app) => `Termina de iniciar sesión en ${app} en la ventana que se abrió.`,
  cancel: 'Cancelar',
  popupBlocked: 'Tu navegador bloqueó la ventana de inicio de sesión. Pulsa Continuar para abrirla.',
  popupClosed: 'La ventana de inicio de sesión se cerró antes de terminar. Inténtalo de nuevo.',
  signInCancelled: 'No se concedió el acceso. Inténtalo de nuevo cuando quieras.',
  signInFailed: 'No se pudo iniciar sesión. Inténtalo de nuevo.',
  signInExpired: 'El inicio de sesión tardó demasiado. Inténtalo de nuevo.',
  connectFailed: 'No pudimos conectar la cuenta. Inténtalo de nuevo.',
  checkingConnection: 'Comprobando la conexión…',
  filterOptions: (field) => `Buscar en ${field}`,
  reloadOptions: (field) => `Recargar ${field}`,
  loadingOptions: 'Cargando opciones…',
  optionsFailed: 'No pudimos cargar las opciones.',
  noMatches: 'Ninguna opción coincide con tu búsqueda.',
};

const fr: AuthMessages = {
  authTitle: (app) => `Connecter ${app}`,
  authIntro: (app) => `Cette intégration fonctionne avec votre compte ${app}.`,
  connectedAs: (account) => `Connecté en tant que ${account}`,
  useDifferentAccount: 'Utiliser un autre compte',
  useExisting: (account) => `Utiliser ${account}`,
  connect: (app) => `Connecter ${app}`,
  orConnect: 'Ou connectez-vous',
  waitingForSignIn: (app) => `Terminez la connexion à ${app} dans la fenêtre qui s’est ouverte.`,
  cancel: 'Annuler',
  popupBlocked: 'Votre navigateur a bloqué la fenêtre de connexion. Appuyez sur Continuer pour l’ouvrir.',
  popupClosed: 'La fenêtre de connexion a été fermée avant la fin. Réessayez.',
  signInCancelled: 'L’accès n’a pas été accordé. Réessayez quand vous voulez.',
  signInFailed: 'La connexion a échoué. Réessayez.',
  signInExpired: 'La connexion a pris trop de temps. Réessayez.',
  connectFailed: 'Nous n’avons pas pu connecter le compte. Réessayez.',
  checkingConnection: 'Vérification de la connexion…',
  filterOptions: (field) => `Rechercher dans ${field}`,
  reloadOptions: (field) => `Recharger ${field}`,
  loadingOptions: 'Chargement des options…',
  optionsFailed: 'Nous n’avons pas pu charger les options.',
  noMatches: 'Aucune option ne correspond à votre recherche.',
};

const de: AuthMessages = {
  authTitle: (app) => `${app} verbinden`,
  authIntro: (app) => `Diese Integration arbeitet mit Ihrem ${app}-Konto.`,
  connectedAs: (account) => `Verbunden als ${account}`,
  useDifferentAccount: 'Anderes Konto verwenden',
  useExisting: (account) => `${account} verwenden`,
  connect: (app) => `${app} verbinden`,
  orConnect: 'Oder anmelden',
  waitingForSignIn: (app) => `Schließen Sie die Anmeldung bei ${app} im geöffneten Fenster ab.`,
  cancel: 'Abbrechen',
  popupBlocked: 'Ihr Browser hat das Anmeldefenster blockiert. Drücken Sie Weiter, um es zu öffnen.',
  popupClosed: 'Das Anmeldefenster wurde vor dem Abschluss geschlossen. Versuchen Sie es erneut.',
  signInCancelled: 'Der Zugriff wurde nicht gewährt. Versuchen Sie es erneut, wenn Sie bereit sind.',
  signInFailed: 'Die Anmeldung hat nicht funktioniert. Versuchen Sie es erneut.',
  signInExpired: 'Die Anmeldung hat zu lange gedauert. Versuchen Sie es erneut.',
  connectFailed: 'Das Konto konnte nicht verbunden werden. Versuchen Sie es erneut.',
  checkingConnection: 'Verbindung wird geprüft…',
  filterOptions: (field) => `${field} durchsuchen`,
  reloadOptions: (field) => `${field} neu laden`,
  loadingOptions: 'Optionen werden geladen…',
  optionsFailed: 'Die Optionen konnten nicht geladen werden.',
  noMatches: 'Keine Option passt zu Ihrer Suche.',
};

export const AUTH_MESSAGES: Readonly<Record<string, AuthMessages>> = { en, es, fr, de };

/** The host's own auth strings, else the built-in table of the modal's language, else English. */
export const authMessages = (messages: ModalMessages): AuthMessages =>
  messages.auth ?? AUTH_MESSAGES[messages.locale] ?? en;
