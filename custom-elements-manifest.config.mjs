/**
 * `npm run build` writes dist/custom-elements.json from the modal's sources (JSDoc @fires,
 * @csspart, @cssprop). The element is defined with a constant (`INSTALL_MODAL_TAG`), which the
 * analyzer reports by name: this plugin puts the constant's value in its place.
 */
export default {
  globs: ['src/modal/**/*.ts'],
  exclude: ['src/modal/**/*.styles.ts'],
  outdir: 'dist',
  litelement: true,
  plugins: [
    {
      name: 'alloy-resolve-tag-constants',
      packageLinkPhase({ customElementsManifest }) {
        const constants = new Map();
        for (const module of customElementsManifest.modules) {
          for (const declaration of module.declarations ?? []) {
            if (declaration.kind === 'variable' && /^'[a-z][\w-]*-[\w-]*'$/.test(declaration.default ?? '')) {
              constants.set(declaration.name, declaration.default.slice(1, -1));
            }
          }
        }
        for (const module of customElementsManifest.modules) {
          for (const declaration of module.declarations ?? []) {
            if (declaration.tagName && constants.has(declaration.tagName)) {
              declaration.tagName = constants.get(declaration.tagName);
            }
          }
          for (const entry of module.exports ?? []) {
            if (entry.kind === 'custom-element-definition' && constants.has(entry.name)) {
              entry.name = constants.get(entry.name);
            }
          }
        }
      },
    },
  ],
};
