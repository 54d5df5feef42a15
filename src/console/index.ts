/**
 * The console's entry (`dist/console/assets/console-<hash>.js`, loaded by `dist/console/index.html`):
 * applies the design tokens to the document and mounts `<alloy-console-app>`. Settings and setup are
 * lazy chunks; the views (src/console/views) are defined by `defineConsoleViews()`.
 */
import './app/app.js';
import { consoleDocumentStyles } from './styles/tokens.styles.js';
import { defineConsoleViews } from './views/index.js';

// A call, not a bare import: the package's modules are declared side-effect free, so a bundler
// would drop `import './views/index.js'` and with it every view element.
defineConsoleViews();

if (consoleDocumentStyles.styleSheet) {
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, consoleDocumentStyles.styleSheet];
}

if (!document.querySelector('alloy-console-app')) {
  document.body.append(document.createElement('alloy-console-app'));
}
