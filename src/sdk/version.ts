/** Kept equal to package.json's version (a test checks); the CDN loader and runtime both report it. */
export const SDK_VERSION = '0.1.0';
