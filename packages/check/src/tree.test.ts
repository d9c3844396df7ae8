import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizePath } from './tree.js';

describe('normalizePath', () => {
  it('normalises as posix.normalize does, leading and trailing slashes dropped, and refuses to leave the tree', () => {
    expect(normalizePath('./a//b/../c/')).toBe('a/c');
    expect(normalizePath('a\\b')).toBe('a/b');
    expect(normalizePath('.')).toBe('');
    expect(normalizePath('../a')).toBeUndefined();
    expect(normalizePath('a/..b/.c')).toBe('a/..b/.c');
  });

  it('takes paths that are normal already as they are, exactly when the full normalisation would', () => {
    // A leading './' forces the full normalisation and changes nothing else (for a path not starting at the root).
    const paths = fc.string({ unit: fc.constantFrom('a', 'b', '.', '/', '\\'), maxLength: 12 }).filter((path) => !/^[/\\]/.test(path));
    fc.assert(
      fc.property(paths, (path) => {
        expect(normalizePath(path)).toBe(normalizePath(`./${path}`));
      }),
      { numRuns: 2000 },
    );
  });
});
