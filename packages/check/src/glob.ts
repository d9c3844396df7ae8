/**
 * Glob patterns the way ArgoCD matches `spec.source.directory.include` / `exclude`: its
 * `util/glob.Match(pattern, relPath)` compiles the pattern with gobwas/glob and passes **no
 * separators**, so `*` and `?` also match `/` (`*.yaml` matches `sub/dir/x.yaml`). The text is the
 * file's path relative to the source path, without a leading `./`. Syntax: `*`, `**` (the same
 * here), `?`, `[abc]`, `[a-z]`, `[!abc]`, `{alt1,alt2}` (alternatives may hold patterns), `\x`.
 * A pattern gobwas cannot compile matches nothing (ArgoCD logs a warning and returns false).
 */

const cache = new Map<string, RegExp | null>();

const escapeRegExp = (char: string) => char.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** Translates one pattern (or an alternative inside braces) to a RegExp source; throws when malformed. */
function translate(pattern: string, start: number, inBraces: boolean): { source: string; end: number } {
  let source = '';
  let i = start;
  while (i < pattern.length) {
    const char = pattern[i]!;
    if (inBraces && (char === ',' || char === '}')) return { source, end: i };
    switch (char) {
      case '*':
        while (pattern[i + 1] === '*') i++;
        source += '.*';
        break;
      case '?':
        source += '.';
        break;
      case '\\': {
        const next = pattern[i + 1];
        if (next === undefined) throw new Error('trailing backslash');
        source += escapeRegExp(next);
        i++;
        break;
      }
      case '[': {
        const close = pattern.indexOf(']', i + 2);
        if (close < 0) throw new Error('unclosed character class');
        let body = pattern.slice(i + 1, close);
        const negated = body.startsWith('!');
        if (negated) body = body.slice(1);
        if (body === '') throw new Error('empty character class');
        const items = [...body].map((c) => (c === '-' ? '-' : escapeRegExp(c))).join('');
        source += `[${negated ? '^' : ''}${items}]`;
        i = close;
        break;
      }
      case '{': {
        const alternatives: string[] = [];
        let j = i + 1;
        for (;;) {
          const alternative = translate(pattern, j, true);
          alternatives.push(alternative.source);
          if (pattern[alternative.end] === '}') {
            j = alternative.end;
            break;
          }
          if (alternative.end >= pattern.length) throw new Error('unclosed {');
          j = alternative.end + 1;
        }
        source += `(?:${alternatives.join('|')})`;
        i = j;
        break;
      }
      default:
        source += escapeRegExp(char);
    }
    i++;
  }
  if (inBraces) throw new Error('unclosed {');
  return { source, end: i };
}

function compile(pattern: string): RegExp | null {
  let compiled = cache.get(pattern);
  if (compiled === undefined) {
    try {
      compiled = new RegExp(`^${translate(pattern, 0, false).source}$`, 's');
    } catch {
      compiled = null;
    }
    cache.set(pattern, compiled);
  }
  return compiled;
}

/** Whether ArgoCD's glob matching accepts `text` for `pattern`. */
export function globMatch(pattern: string, text: string): boolean {
  return compile(pattern)?.test(text) ?? false;
}

/** Whether a pattern has no glob syntax, so it matches exactly the text equal to it (and may be looked up). */
export function isLiteralGlob(pattern: string): boolean {
  return !/[*?[{\\]/.test(pattern);
}

/** Whether the pattern compiles (a pattern that does not matches nothing). */
export function isValidGlob(pattern: string): boolean {
  return compile(pattern) !== null;
}
