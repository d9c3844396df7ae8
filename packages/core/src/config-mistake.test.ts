import { describe, expect, it } from 'vitest';
import { ConfigMistake } from './config-mistake.js';

const problem = { path: 'apps.web.expose.public', problem: 'needs a tunnel', got: 'web.example.com', fix: 'Set cloudflare.tunnelId.' };

describe('ConfigMistake', () => {
  it('formats its problems in the one config format', () => {
    expect(new ConfigMistake([problem]).message).toBe("apps.web.expose.public: needs a tunnel (got 'web.example.com'). Set cloudflare.tunnelId.");
  });

  it('is recognised when thrown by another copy of @homelab/core (a user module beside the bundled CLI)', () => {
    // What another copy's class builds: an Error carrying the registry symbol, not this class's instance.
    const fromOtherCopy = Object.assign(new Error('x'), { name: 'ConfigMistake', problems: [problem], [Symbol.for('@homelab/core.ConfigMistake')]: true });
    expect(fromOtherCopy instanceof ConfigMistake).toBe(true);
    expect(new ConfigMistake([problem]) instanceof ConfigMistake).toBe(true);
    expect(new ConfigMistake([problem]) instanceof Error).toBe(true);
    for (const other of [new Error('plain'), Object.assign(new Error('named alike'), { name: 'ConfigMistake', problems: [problem] }), null, 'ConfigMistake']) {
      expect(other instanceof ConfigMistake).toBe(false);
    }
  });
});
