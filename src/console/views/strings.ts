import type { ConsoleLanguage } from '../api-types.js';

/** Every text the console's data views show, per language; functions take what they interpolate. */
export interface ViewStrings {
  loading: string;
  retry: string;
  requestId: string;
  errorTitle: string;
  close: string;
  loadMore: string;
  dash: string;
  // Integrations
  integrationsTitle: string;
  integrationsEmpty: string;
  workflows: (count: number) => string;
  installs: (count: number) => string;
  share: string;
  shareLabel: (integration: string) => string;
  definedInCode: string;
  exportIntegration: string;
  exportLabel: (integration: string) => string;
  // Share dialog
  shareTitle: (integration: string) => string;
  linkTitle: string;
  userMode: string;
  existingUser: string;
  newUser: string;
  /** Under the user list after the dialog created a user: that user is the one chosen now. */
  userCreated: (username: string) => string;
  searchUsers: string;
  user: string;
  noUsersMatch: string;
  username: string;
  usernameHelp: string;
  fullName: string;
  integration: string;
  expiry: string;
  days: (count: number) => string;
  createLink: string;
  creatingLink: string;
  link: string;
  linkExpires: (when: string) => string;
  copy: string;
  copied: string;
  copyFailed: string;
  chooseUser: string;
  chooseIntegration: string;
  recentLinks: string;
  recentLinksEmpty: string;
  linkStatusNames: Record<'unused' | 'used' | 'expired', string>;
  linkMadeAt: (when: string) => string;
  linkUsedAt: (when: string) => string;
  linkExpiresAt: (when: string) => string;
  linkExpiredAt: (when: string) => string;
  // Users
  usersTitle: string;
  usersEmpty: string;
  search: string;
  userId: string;
  userTitle: (name: string) => string;
  allUsers: string;
  installations: string;
  installationsEmpty: string;
  installedAt: (when: string) => string;
  enabled: string;
  disabled: string;
  credentials: string;
  credentialsEmpty: string;
  createdAt: (when: string) => string;
  recentExecutions: string;
  executionsEmpty: string;
  generateLink: string;
  // Logs
  logsTitle: string;
  logsEmpty: string;
  filters: string;
  status: string;
  anyStatus: string;
  statusNames: Record<'success' | 'error' | 'running' | 'skipped', string>;
  workflowId: string;
  userFilter: string;
  order: string;
  newestFirst: string;
  oldestFirst: string;
  apply: string;
  workflow: string;
  started: string;
  duration: string;
  executionTitle: string;
  allExecutions: string;
  mode: string;
  version: string;
  blocks: string;
  blocksEmpty: string;
  input: string;
  output: string;
  error: string;
  noInput: string;
  rerun: string;
  rerunning: string;
  rerunQueued: (runId: string) => string;
  // Deliveries
  deliveriesTitle: string;
  deliveriesEmpty: string;
  kind: string;
  anyKind: string;
  kindNames: Record<'installationWebhook' | 'errorStream', string>;
  deliveryStatusNames: Record<'pending' | 'sending' | 'delivered' | 'failed', string>;
  anyDeliveryStatus: string;
  url: string;
  attempts: string;
  response: string;
  lastError: string;
  created: string;
  delivered: string;
  nextAttempt: string;
  retryDelivery: string;
  retryLabel: (id: string) => string;
  retried: (id: string) => string;
  // Users: the server's search, and a user token for testing the SDK
  usersSearchHint: string;
  usersSearchEmpty: (search: string) => string;
  generateToken: string;
  generatingToken: string;
  tokenTitle: string;
  tokenExpires: (when: string) => string;
  tokenNote: string;
  tokenCopied: string;
  tokenCopyFailed: string;
}

const en: ViewStrings = {
  loading: 'Loading…',
  retry: 'Try again',
  requestId: 'Request id',
  errorTitle: 'Something went wrong',
  close: 'Close',
  loadMore: 'Load more',
  dash: '—',
  integrationsTitle: 'Integrations',
  integrationsEmpty: 'No integrations are defined in this environment yet.',
  workflows: (n) => (n === 1 ? '1 workflow' : `${n} workflows`),
  installs: (n) => (n === 1 ? '1 installation' : `${n} installations`),
  share: 'Share',
  shareLabel: (name) => `Share ${name}`,
  definedInCode: 'Defined in code',
  exportIntegration: 'Export',
  exportLabel: (name) => `Export ${name} as a .integration.json file`,
  shareTitle: (name) => `Share ${name}`,
  linkTitle: 'Generate an install link',
  userMode: 'For',
  existingUser: 'An existing user',
  newUser: 'A new user',
  userCreated: (username) => `${username} was created and is chosen above: Create link makes another link for them.`,
  searchUsers: 'Search users',
  user: 'User',
  noUsersMatch: 'No user matches.',
  username: 'Email or username',
  usernameHelp: 'The user is created when the link is.',
  fullName: 'Full name (optional)',
  integration: 'Integration',
  expiry: 'Link expires after',
  days: (n) => (n === 1 ? '1 day' : `${n} days`),
  createLink: 'Create link',
  creatingLink: 'Creating link…',
  link: 'Install link',
  linkExpires: (when) => `Single use; expires ${when}.`,
  copy: 'Copy',
  copied: 'Link copied.',
  copyFailed: 'Could not copy: select the link and copy it yourself.',
  chooseUser: 'Choose a user.',
  chooseIntegration: 'Choose an integration.',
  recentLinks: 'Recent links',
  recentLinksEmpty: 'No links made yet.',
  linkStatusNames: { unused: 'Unused', used: 'Used', expired: 'Expired' },
  linkMadeAt: (when) => `Made ${when}`,
  linkUsedAt: (when) => `used ${when}`,
  linkExpiresAt: (when) => `expires ${when}`,
  linkExpiredAt: (when) => `expired ${when}`,
  usersTitle: 'Users',
  usersEmpty: 'No users in this environment yet.',
  search: 'Search',
  userId: 'User id',
  userTitle: (name) => `User ${name}`,
  allUsers: 'All users',
  installations: 'Installations',
  installationsEmpty: 'No installations.',
  installedAt: (when) => `Installed ${when}`,
  enabled: 'Enabled',
  disabled: 'Disabled',
  credentials: 'Credentials',
  credentialsEmpty: 'No credentials.',
  createdAt: (when) => `Created ${when}`,
  recentExecutions: 'Recent executions',
  executionsEmpty: 'No executions.',
  generateLink: 'Generate link',
  logsTitle: 'Logs',
  logsEmpty: 'No executions match.',
  filters: 'Filters',
  status: 'Status',
  anyStatus: 'Any status',
  statusNames: { success: 'Success', error: 'Error', running: 'Running', skipped: 'Skipped' },
  workflowId: 'Workflow id',
  userFilter: 'User id or username',
  order: 'Order',
  newestFirst: 'Newest first',
  oldestFirst: 'Oldest first',
  apply: 'Apply',
  workflow: 'Workflow',
  started: 'Started',
  duration: 'Duration',
  executionTitle: 'Execution',
  allExecutions: 'All executions',
  mode: 'Mode',
  version: 'Version',
  blocks: 'Blocks',
  blocksEmpty: 'No block ran.',
  input: 'Input',
  output: 'Output',
  error: 'Error',
  noInput: 'No input recorded.',
  rerun: 'Rerun',
  rerunning: 'Rerunning…',
  rerunQueued: (runId) => `Rerun queued (run ${runId}).`,
  deliveriesTitle: 'Webhook deliveries',
  deliveriesEmpty: 'No deliveries match.',
  kind: 'Kind',
  anyKind: 'Any kind',
  kindNames: { installationWebhook: 'Installation webhook', errorStream: 'Error stream' },
  deliveryStatusNames: { pending: 'Pending', sending: 'Sending', delivered: 'Delivered', failed: 'Failed' },
  anyDeliveryStatus: 'Any status',
  url: 'URL',
  attempts: 'Attempts',
  response: 'Response',
  lastError: 'Last error',
  created: 'Created',
  delivered: 'Delivered',
  nextAttempt: 'Next attempt',
  retryDelivery: 'Retry',
  retryLabel: (id) => `Retry ${id}`,
  retried: (id) => `${id} queued again.`,
  usersSearchHint: 'Search by the start of a username or name',
  usersSearchEmpty: (search) => `No username or name starts with “${search}”.`,
  generateToken: 'Generate token',
  generatingToken: 'Generating…',
  tokenTitle: 'User token',
  tokenExpires: (when) => `Expires ${when}`,
  tokenNote:
    'Shown once. It is short-lived and meant for testing the SDK as this user (Alloy.setToken); your backend makes tokens in production.',
  tokenCopied: 'Token copied.',
  tokenCopyFailed: 'Could not copy: select the token and copy it yourself.',
};

const es: ViewStrings = {
  loading: 'Cargando…',
  retry: 'Reintentar',
  requestId: 'Id de la solicitud',
  errorTitle: 'Algo salió mal',
  close: 'Cerrar',
  loadMore: 'Cargar más',
  dash: '—',
  integrationsTitle: 'Integraciones',
  integrationsEmpty: 'Aún no hay integraciones definidas en este entorno.',
  workflows: (n) => (n === 1 ? '1 flujo' : `${n} flujos`),
  installs: (n) => (n === 1 ? '1 instalación' : `${n} instalaciones`),
  share: 'Compartir',
  shareLabel: (name) => `Compartir ${name}`,
  definedInCode: 'Definida en código',
  exportIntegration: 'Exportar',
  exportLabel: (name) => `Exportar ${name} como archivo .integration.json`,
  shareTitle: (name) => `Compartir ${name}`,
  linkTitle: 'Generar un enlace de instalación',
  userMode: 'Para',
  existingUser: 'Un usuario existente',
  newUser: 'Un usuario nuevo',
  userCreated: (username) =>
    `Se creó ${username} y está elegido arriba: Crear enlace crea otro enlace para este usuario.`,
  searchUsers: 'Buscar usuarios',
  user: 'Usuario',
  noUsersMatch: 'Ningún usuario coincide.',
  username: 'Correo o nombre de usuario',
  usernameHelp: 'El usuario se crea junto con el enlace.',
  fullName: 'Nombre completo (opcional)',
  integration: 'Integración',
  expiry: 'El enlace caduca tras',
  days: (n) => (n === 1 ? '1 día' : `${n} días`),
  createLink: 'Crear enlace',
  creatingLink: 'Creando enlace…',
  link: 'Enlace de instalación',
  linkExpires: (when) => `De un solo uso; caduca el ${when}.`,
  copy: 'Copiar',
  copied: 'Enlace copiado.',
  copyFailed: 'No se pudo copiar: seleccione el enlace y cópielo usted.',
  chooseUser: 'Elija un usuario.',
  chooseIntegration: 'Elija una integración.',
  recentLinks: 'Enlaces recientes',
  recentLinksEmpty: 'Aún no se ha creado ningún enlace.',
  linkStatusNames: { unused: 'Sin usar', used: 'Usado', expired: 'Caducado' },
  linkMadeAt: (when) => `Creado el ${when}`,
  linkUsedAt: (when) => `usado el ${when}`,
  linkExpiresAt: (when) => `caduca el ${when}`,
  linkExpiredAt: (when) => `caducó el ${when}`,
  usersTitle: 'Usuarios',
  usersEmpty: 'Aún no hay usuarios en este entorno.',
  search: 'Buscar',
  userId: 'Id de usuario',
  userTitle: (name) => `Usuario ${name}`,
  allUsers: 'Todos los usuarios',
  installations: 'Instalaciones',
  installationsEmpty: 'Sin instalaciones.',
  installedAt: (when) => `Instalada el ${when}`,
  enabled: 'Activa',
  disabled: 'Inactiva',
  credentials: 'Credenciales',
  credentialsEmpty: 'Sin credenciales.',
  createdAt: (when) => `Creada el ${when}`,
  recentExecutions: 'Ejecuciones recientes',
  executionsEmpty: 'Sin ejecuciones.',
  generateLink: 'Generar enlace',
  logsTitle: 'Registros',
  logsEmpty: 'Ninguna ejecución coincide.',
  filters: 'Filtros',
  status: 'Estado',
  anyStatus: 'Cualquier estado',
  statusNames: { success: 'Correcta', error: 'Error', running: 'En curso', skipped: 'Omitido' },
  workflowId: 'Id del flujo',
  userFilter: 'Id o nombre de usuario',
  order: 'Orden',
  newestFirst: 'Más recientes primero',
  oldestFirst: 'Más antiguas primero',
  apply: 'Aplicar',
  workflow: 'Flujo',
  started: 'Inicio',
  duration: 'Duración',
  executionTitle: 'Ejecución',
  allExecutions: 'Todas las ejecuciones',
  mode: 'Modo',
  version: 'Versión',
  blocks: 'Bloques',
  blocksEmpty: 'No se ejecutó ningún bloque.',
  input: 'Entrada',
  output: 'Salida',
  error: 'Error',
  noInput: 'No se registró ninguna entrada.',
  rerun: 'Volver a ejecutar',
  rerunning: 'Volviendo a ejecutar…',
  rerunQueued: (runId) => `Nueva ejecución en cola (run ${runId}).`,
  deliveriesTitle: 'Entregas de webhooks',
  deliveriesEmpty: 'Ninguna entrega coincide.',
  kind: 'Tipo',
  anyKind: 'Cualquier tipo',
  kindNames: { installationWebhook: 'Webhook de instalación', errorStream: 'Flujo de errores' },
  deliveryStatusNames: { pending: 'Pendiente', sending: 'Enviando', delivered: 'Entregada', failed: 'Fallida' },
  anyDeliveryStatus: 'Cualquier estado',
  url: 'URL',
  attempts: 'Intentos',
  response: 'Respuesta',
  lastError: 'Último error',
  created: 'Creada',
  delivered: 'Entregada',
  nextAttempt: 'Próximo intento',
  retryDelivery: 'Reintentar',
  retryLabel: (id) => `Reintentar ${id}`,
  retried: (id) => `${id} vuelve a estar en cola.`,
  usersSearchHint: 'Busque por el comienzo de un nombre de usuario o de un nombre',
  usersSearchEmpty: (search) => `Ningún nombre de usuario ni nombre empieza por «${search}».`,
  generateToken: 'Generar token',
  generatingToken: 'Generando…',
  tokenTitle: 'Token de usuario',
  tokenExpires: (when) => `Caduca el ${when}`,
  tokenNote:
    'Se muestra una sola vez. Dura poco y sirve para probar el SDK como este usuario (Alloy.setToken); en producción los tokens los crea su backend.',
  tokenCopied: 'Token copiado.',
  tokenCopyFailed: 'No se pudo copiar: seleccione el token y cópielo usted.',
};

const fr: ViewStrings = {
  loading: 'Chargement…',
  retry: 'Réessayer',
  requestId: 'Id de la requête',
  errorTitle: 'Une erreur est survenue',
  close: 'Fermer',
  loadMore: 'Charger plus',
  dash: '—',
  integrationsTitle: 'Intégrations',
  integrationsEmpty: 'Aucune intégration n’est encore définie dans cet environnement.',
  workflows: (n) => (n === 1 ? '1 workflow' : `${n} workflows`),
  installs: (n) => (n === 1 ? '1 installation' : `${n} installations`),
  share: 'Partager',
  shareLabel: (name) => `Partager ${name}`,
  definedInCode: 'Définie dans le code',
  exportIntegration: 'Exporter',
  exportLabel: (name) => `Exporter ${name} en fichier .integration.json`,
  shareTitle: (name) => `Partager ${name}`,
  linkTitle: 'Générer un lien d’installation',
  userMode: 'Pour',
  existingUser: 'Un utilisateur existant',
  newUser: 'Un nouvel utilisateur',
  userCreated: (username) =>
    `${username} a été créé et est choisi ci-dessus : Créer le lien crée un autre lien pour cet utilisateur.`,
  searchUsers: 'Rechercher des utilisateurs',
  user: 'Utilisateur',
  noUsersMatch: 'Aucun utilisateur ne correspond.',
  username: 'E-mail ou nom d’utilisateur',
  usernameHelp: 'L’utilisateur est créé en même temps que le lien.',
  fullName: 'Nom complet (facultatif)',
  integration: 'Intégration',
  expiry: 'Le lien expire après',
  days: (n) => (n === 1 ? '1 jour' : `${n} jours`),
  createLink: 'Créer le lien',
  creatingLink: 'Création du lien…',
  link: 'Lien d’installation',
  linkExpires: (when) => `À usage unique ; expire le ${when}.`,
  copy: 'Copier',
  copied: 'Lien copié.',
  copyFailed: 'Copie impossible : sélectionnez le lien et copiez-le vous-même.',
  chooseUser: 'Choisissez un utilisateur.',
  chooseIntegration: 'Choisissez une intégration.',
  recentLinks: 'Liens récents',
  recentLinksEmpty: 'Aucun lien créé pour l’instant.',
  linkStatusNames: { unused: 'Non utilisé', used: 'Utilisé', expired: 'Expiré' },
  linkMadeAt: (when) => `Créé le ${when}`,
  linkUsedAt: (when) => `utilisé le ${when}`,
  linkExpiresAt: (when) => `expire le ${when}`,
  linkExpiredAt: (when) => `expiré le ${when}`,
  usersTitle: 'Utilisateurs',
  usersEmpty: 'Aucun utilisateur dans cet environnement pour l’instant.',
  search: 'Rechercher',
  userId: 'Id utilisateur',
  userTitle: (name) => `Utilisateur ${name}`,
  allUsers: 'Tous les utilisateurs',
  installations: 'Installations',
  installationsEmpty: 'Aucune installation.',
  installedAt: (when) => `Installée le ${when}`,
  enabled: 'Active',
  disabled: 'Inactive',
  credentials: 'Identifiants',
  credentialsEmpty: 'Aucun identifiant.',
  createdAt: (when) => `Créé le ${when}`,
  recentExecutions: 'Exécutions récentes',
  executionsEmpty: 'Aucune exécution.',
  generateLink: 'Générer un lien',
  logsTitle: 'Journaux',
  logsEmpty: 'Aucune exécution ne correspond.',
  filters: 'Filtres',
  status: 'Statut',
  anyStatus: 'Tous les statuts',
  statusNames: { success: 'Réussie', error: 'Erreur', running: 'En cours', skipped: 'Ignoré' },
  workflowId: 'Id du workflow',
  userFilter: 'Id ou nom d’utilisateur',
  order: 'Ordre',
  newestFirst: 'Plus récentes d’abord',
  oldestFirst: 'Plus anciennes d’abord',
  apply: 'Appliquer',
  workflow: 'Workflow',
  started: 'Début',
  duration: 'Durée',
  executionTitle: 'Exécution',
  allExecutions: 'Toutes les exécutions',
  mode: 'Mode',
  version: 'Version',
  blocks: 'Blocs',
  blocksEmpty: 'Aucun bloc n’a été exécuté.',
  input: 'Entrée',
  output: 'Sortie',
  error: 'Erreur',
  noInput: 'Aucune entrée enregistrée.',
  rerun: 'Relancer',
  rerunning: 'Relance…',
  rerunQueued: (runId) => `Relance en file d’attente (run ${runId}).`,
  deliveriesTitle: 'Envois de webhooks',
  deliveriesEmpty: 'Aucun envoi ne correspond.',
  kind: 'Type',
  anyKind: 'Tous les types',
  kindNames: { installationWebhook: 'Webhook d’installation', errorStream: 'Flux d’erreurs' },
  deliveryStatusNames: { pending: 'En attente', sending: 'En cours d’envoi', delivered: 'Livré', failed: 'Échoué' },
  anyDeliveryStatus: 'Tous les statuts',
  url: 'URL',
  attempts: 'Tentatives',
  response: 'Réponse',
  lastError: 'Dernière erreur',
  created: 'Créé',
  delivered: 'Livré',
  nextAttempt: 'Prochaine tentative',
  retryDelivery: 'Renvoyer',
  retryLabel: (id) => `Renvoyer ${id}`,
  retried: (id) => `${id} de nouveau en file d’attente.`,
  usersSearchHint: 'Recherche par le début d’un nom d’utilisateur ou d’un nom',
  usersSearchEmpty: (search) => `Aucun nom d’utilisateur ni nom ne commence par « ${search} ».`,
  generateToken: 'Générer un jeton',
  generatingToken: 'Génération…',
  tokenTitle: 'Jeton utilisateur',
  tokenExpires: (when) => `Expire le ${when}`,
  tokenNote:
    'Affiché une seule fois. Il expire vite et sert à tester le SDK en tant que cet utilisateur (Alloy.setToken) ; en production, votre backend crée les jetons.',
  tokenCopied: 'Jeton copié.',
  tokenCopyFailed: 'Copie impossible : sélectionnez le jeton et copiez-le vous-même.',
};

const de: ViewStrings = {
  loading: 'Wird geladen…',
  retry: 'Erneut versuchen',
  requestId: 'Anfrage-ID',
  errorTitle: 'Etwas ist schiefgelaufen',
  close: 'Schließen',
  loadMore: 'Mehr laden',
  dash: '—',
  integrationsTitle: 'Integrationen',
  integrationsEmpty: 'In dieser Umgebung sind noch keine Integrationen definiert.',
  workflows: (n) => (n === 1 ? '1 Workflow' : `${n} Workflows`),
  installs: (n) => (n === 1 ? '1 Installation' : `${n} Installationen`),
  share: 'Teilen',
  shareLabel: (name) => `${name} teilen`,
  definedInCode: 'Im Code definiert',
  exportIntegration: 'Exportieren',
  exportLabel: (name) => `${name} als .integration.json-Datei exportieren`,
  shareTitle: (name) => `${name} teilen`,
  linkTitle: 'Installationslink erstellen',
  userMode: 'Für',
  existingUser: 'Einen vorhandenen Benutzer',
  newUser: 'Einen neuen Benutzer',
  userCreated: (username) =>
    `${username} wurde angelegt und ist oben ausgewählt: „Link erstellen“ erstellt einen weiteren Link für diesen Benutzer.`,
  searchUsers: 'Benutzer suchen',
  user: 'Benutzer',
  noUsersMatch: 'Kein Benutzer passt.',
  username: 'E-Mail oder Benutzername',
  usernameHelp: 'Der Benutzer wird zusammen mit dem Link angelegt.',
  fullName: 'Vollständiger Name (optional)',
  integration: 'Integration',
  expiry: 'Link läuft ab nach',
  days: (n) => (n === 1 ? '1 Tag' : `${n} Tagen`),
  createLink: 'Link erstellen',
  creatingLink: 'Link wird erstellt…',
  link: 'Installationslink',
  linkExpires: (when) => `Einmalig verwendbar; läuft ab am ${when}.`,
  copy: 'Kopieren',
  copied: 'Link kopiert.',
  copyFailed: 'Kopieren nicht möglich: Link markieren und selbst kopieren.',
  chooseUser: 'Wählen Sie einen Benutzer.',
  chooseIntegration: 'Wählen Sie eine Integration.',
  recentLinks: 'Letzte Links',
  recentLinksEmpty: 'Noch keine Links erstellt.',
  linkStatusNames: { unused: 'Unbenutzt', used: 'Benutzt', expired: 'Abgelaufen' },
  linkMadeAt: (when) => `Erstellt am ${when}`,
  linkUsedAt: (when) => `benutzt am ${when}`,
  linkExpiresAt: (when) => `läuft ab am ${when}`,
  linkExpiredAt: (when) => `abgelaufen am ${when}`,
  usersTitle: 'Benutzer',
  usersEmpty: 'In dieser Umgebung gibt es noch keine Benutzer.',
  search: 'Suchen',
  userId: 'Benutzer-ID',
  userTitle: (name) => `Benutzer ${name}`,
  allUsers: 'Alle Benutzer',
  installations: 'Installationen',
  installationsEmpty: 'Keine Installationen.',
  installedAt: (when) => `Installiert am ${when}`,
  enabled: 'Aktiv',
  disabled: 'Inaktiv',
  credentials: 'Zugangsdaten',
  credentialsEmpty: 'Keine Zugangsdaten.',
  createdAt: (when) => `Erstellt am ${when}`,
  recentExecutions: 'Letzte Ausführungen',
  executionsEmpty: 'Keine Ausführungen.',
  generateLink: 'Link erstellen',
  logsTitle: 'Protokolle',
  logsEmpty: 'Keine Ausführung passt.',
  filters: 'Filter',
  status: 'Status',
  anyStatus: 'Alle Status',
  statusNames: { success: 'Erfolgreich', error: 'Fehler', running: 'Läuft', skipped: 'Übersprungen' },
  workflowId: 'Workflow-ID',
  userFilter: 'Benutzer-ID oder -name',
  order: 'Reihenfolge',
  newestFirst: 'Neueste zuerst',
  oldestFirst: 'Älteste zuerst',
  apply: 'Anwenden',
  workflow: 'Workflow',
  started: 'Gestartet',
  duration: 'Dauer',
  executionTitle: 'Ausführung',
  allExecutions: 'Alle Ausführungen',
  mode: 'Modus',
  version: 'Version',
  blocks: 'Blöcke',
  blocksEmpty: 'Kein Block wurde ausgeführt.',
  input: 'Eingabe',
  output: 'Ausgabe',
  error: 'Fehler',
  noInput: 'Keine Eingabe aufgezeichnet.',
  rerun: 'Erneut ausführen',
  rerunning: 'Wird erneut ausgeführt…',
  rerunQueued: (runId) => `Erneute Ausführung eingereiht (Run ${runId}).`,
  deliveriesTitle: 'Webhook-Zustellungen',
  deliveriesEmpty: 'Keine Zustellung passt.',
  kind: 'Art',
  anyKind: 'Alle Arten',
  kindNames: { installationWebhook: 'Installations-Webhook', errorStream: 'Fehlerstrom' },
  deliveryStatusNames: {
    pending: 'Ausstehend',
    sending: 'Wird gesendet',
    delivered: 'Zugestellt',
    failed: 'Fehlgeschlagen',
  },
  anyDeliveryStatus: 'Alle Status',
  url: 'URL',
  attempts: 'Versuche',
  response: 'Antwort',
  lastError: 'Letzter Fehler',
  created: 'Erstellt',
  delivered: 'Zugestellt',
  nextAttempt: 'Nächster Versuch',
  retryDelivery: 'Erneut senden',
  retryLabel: (id) => `${id} erneut senden`,
  retried: (id) => `${id} wieder eingereiht.`,
  usersSearchHint: 'Suche nach dem Anfang eines Benutzernamens oder Namens',
  usersSearchEmpty: (search) => `Kein Benutzername und kein Name beginnt mit „${search}“.`,
  generateToken: 'Token erstellen',
  generatingToken: 'Wird erstellt…',
  tokenTitle: 'Benutzer-Token',
  tokenExpires: (when) => `Läuft ab am ${when}`,
  tokenNote:
    'Wird nur einmal angezeigt. Es ist kurzlebig und zum Testen des SDK als dieser Benutzer gedacht (Alloy.setToken); in Produktion erstellt Ihr Backend die Tokens.',
  tokenCopied: 'Token kopiert.',
  tokenCopyFailed: 'Kopieren nicht möglich: Token markieren und selbst kopieren.',
};

export const VIEW_STRINGS: Readonly<Record<ConsoleLanguage, ViewStrings>> = { en, es, fr, de };

/** The strings for `lang`, English for anything unknown. */
export function viewStrings(lang: ConsoleLanguage | undefined): ViewStrings {
  return (lang && VIEW_STRINGS[lang]) ?? en;
}
