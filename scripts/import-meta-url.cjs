// Injected into the CommonJS bundle: stands in for import.meta.url (used to find package.json).
export const importMetaUrl = require('node:url').pathToFileURL(__filename).href;
