import { describe, expect, it } from 'vitest';
import { configVariant, seedConfig } from '@homelab/testing';
import { appComponent } from './app-template.js';
import type { AppDescription } from './description.js';
import { LINUXSERVER_CAPABILITIES, linuxserverContainer, linuxserverSecurityContext } from './linuxserver.js';

const seed = seedConfig();
const SOURCE = '@homelab/demo';

/** A linuxserver.io app as an app package writes it: the helper's parts spread into the description. */
function demo(parts: ReturnType<typeof linuxserverContainer>): AppDescription {
  return { name: 'demo', namespace: 'media', image: { repository: 'lscr.io/linuxserver/demo', tag: '1.0.0' }, ports: { http: { port: 8080, http: true } }, ...parts };
}

describe('linuxserverContainer', () => {
  it('TZ, PUID and PGID follow homelab.yaml workloads (late binding), then the extra env in order', () => {
    const config = configVariant((data) => {
      data.workloads = { timezone: 'America/Chicago', puid: 1234, pgid: 2345 };
    });
    const { env } = linuxserverContainer(config, { env: { WEBUI_PORT: '8080', UMASK: '002' } });
    expect(env).toEqual({ TZ: 'America/Chicago', PUID: '1234', PGID: '2345', WEBUI_PORT: '8080', UMASK: '002' });
    expect(Object.keys(env)).toEqual(['TZ', 'PUID', 'PGID', 'WEBUI_PORT', 'UMASK']);
    expect(linuxserverContainer(seed).env).toEqual({ TZ: seed.workloads.timezone, PUID: String(seed.workloads.puid), PGID: String(seed.workloads.pgid) });
  });

  it('runs the init as root: no runAsUser or fsGroup on the pod, a writable root, the capabilities it needs', () => {
    const values = appComponent(demo(linuxserverContainer(seed)), { source: SOURCE }).values.controllers['main']!;
    expect(values.pod.securityContext).toEqual({ runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } });
    expect(values.containers['app']!.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: false,
      privileged: false,
      capabilities: { add: [...LINUXSERVER_CAPABILITIES], drop: ['ALL'] },
    });
  });

  it("asks for 'baseline', which app-template checks the capabilities against", () => {
    expect(linuxserverContainer(seed).podSecurity).toBe('baseline');
    expect(() => appComponent(demo(linuxserverContainer(seed)), { source: SOURCE })).not.toThrow();
    expect(() => appComponent(demo(linuxserverContainer(seed, { capabilities: ['NET_ADMIN'] })), { source: SOURCE })).toThrow(/capabilities beyond the baseline set/);
    expect(() => appComponent({ ...demo(linuxserverContainer(seed)), podSecurity: 'restricted' }, { source: SOURCE })).toThrow(/restricted/);
  });

  it('takes the capabilities of the app (a list, replaced whole)', () => {
    expect(linuxserverContainer(seed, { capabilities: ['CHOWN'] }).securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['CHOWN'] });
    expect(linuxserverContainer(seed).securityContext).toEqual(linuxserverSecurityContext());
  });

  it('hands out fresh lists: a caller changing its copy changes neither the constant nor the next result', () => {
    const first = linuxserverSecurityContext();
    first.capabilities!.add!.push('NET_ADMIN');
    expect(linuxserverSecurityContext().capabilities!.add).toEqual([...LINUXSERVER_CAPABILITIES]);
    expect(Object.isFrozen(LINUXSERVER_CAPABILITIES)).toBe(true);
  });
});
