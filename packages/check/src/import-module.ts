/** Imports a module by specifier, like `import()`. */
export type ImportModule = (specifier: string) => Promise<Record<string, unknown>>;

/**
 * import() from this package: how model classes load unless the host passes its own. Its own
 * module so that a host which cannot call import() (the CLI's code-cached bundle) can replace it.
 */
export const dynamicImport: ImportModule = (specifier) => import(specifier) as Promise<Record<string, unknown>>;
