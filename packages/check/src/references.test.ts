import { afterAll, describe, expect, it } from 'vitest';
import { checkTree } from './check.js';
import { application, deployment, removeTrees, REPO, rootApp, secret, writeTree, type FixtureContent } from './test-support/fixtures.js';
import { NFS_EXPORT_REQUIREMENTS } from './defaults.js';

afterAll(removeTrees);

const references = async (files: Record<string, FixtureContent>, options = {}) =>
  (await checkTree(writeTree({ 'apps/root.yaml': rootApp(), 'apps/web.yaml': application('web'), ...files }), options)).findings.filter(
    (finding) => finding.check === 'references',
  );

const short = (findings: { severity: string; object: string; problem: string }[]) => findings.map((finding) => `${finding.severity} ${finding.object}: ${finding.problem}`);

const withSecretVolume = deployment('web', 'web', { volumes: [{ name: 'config', secret: { secretName: 'web-config' } }] });

describe('references', () => {
  it('reports a Secret a pod mounts that nothing creates', async () => {
    expect(await references({ 'manifests/web/deployment.yaml': withSecretVolume })).toEqual([
      {
        check: 'references',
        severity: 'error',
        file: 'manifests/web/deployment.yaml',
        object: 'Deployment/web/web',
        problem: 'references Secret/web/web-config (spec.template.spec.volumes[0].secret), which nothing creates',
        hint: 'Add it to the tree (a *.sops.yaml file), fix the name, or declare it external (--external Secret/web/web-config, or external: in .homelab-check.yaml)',
      },
    ]);
  });

  it('accepts what is declared external, on the command line or in .homelab-check.yaml (globs allowed)', async () => {
    expect(await references({ 'manifests/web/deployment.yaml': withSecretVolume }, { external: ['Secret/web/web-config'] })).toEqual([]);
    expect(await references({ 'manifests/web/deployment.yaml': withSecretVolume, '.homelab-check.yaml': 'external:\n  - Secret/web/web-*\n' })).toEqual([]);
  });

  it('accepts a Secret a SOPS file provides (its metadata is plain text)', async () => {
    const sops = { ...(secret('web-config', 'web') as object), sops: { mac: 'ENC[x]', lastmodified: '2026-01-01T00:00:00Z' } };
    const plugin = { apiVersion: 'argoproj.io/v1alpha1', kind: 'ConfigManagementPlugin', metadata: { name: 'sops' }, spec: { discover: { fileName: '*.sops.yaml' } } };
    expect(await references({ 'manifests/web/deployment.yaml': withSecretVolume, 'manifests/web/web-config.sops.yaml': sops, 'argocd/plugin.yaml': plugin })).toEqual([]);
  });

  it('treats references into a namespace a Helm chart deploys into as unresolvable but fine (information)', async () => {
    const chartApp = application('web', { sources: [{ repoURL: 'https://charts.example.com', chart: 'web', targetRevision: '1.0.0' }, { repoURL: REPO, targetRevision: 'main', path: 'manifests/web' }] });
    const route = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'web', namespace: 'web' }, spec: { rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] } };
    expect(await references({ 'apps/web.yaml': chartApp, 'manifests/web/route.yaml': route })).toEqual([
      {
        check: 'references',
        severity: 'info',
        file: 'manifests/web/route.yaml',
        object: 'HTTPRoute/web/web',
        problem: 'references Service/web/web (spec.rules[0].backendRefs[0]), which this tree does not create',
        hint: 'Not checked: chart web (Application/argocd/web) deploys into namespace web and may create it; declare it external if it comes from elsewhere',
      },
    ]);
  });

  it('follows Gateway API parentRefs and backendRefs, cert-manager issuerRefs and the Secrets cert-manager writes', async () => {
    const gateway = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'internal', namespace: 'web' },
      spec: { gatewayClassName: 'cilium', listeners: [{ name: 'https', protocol: 'HTTPS', port: 443, tls: { certificateRefs: [{ name: 'wildcard-tls' }] } }] },
    };
    const certificate = { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'wildcard', namespace: 'web' }, spec: { secretName: 'wildcard-tls', dnsNames: ['*.example.com'], issuerRef: { kind: 'ClusterIssuer', name: 'letsencrypt' } } };
    const route = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'web', namespace: 'web' },
      spec: { parentRefs: [{ name: 'internal' }, { name: 'public', namespace: 'gateway' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] },
    };
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'web' }, spec: { ports: [{ port: 80 }] } };
    expect(short(await references({ 'manifests/web/gateway.yaml': gateway, 'manifests/web/certificate.yaml': certificate, 'manifests/web/route.yaml': route, 'manifests/web/service.yaml': service }))).toEqual([
      'error Certificate/web/wildcard: references ClusterIssuer/letsencrypt (spec.issuerRef), which nothing creates',
      'error HTTPRoute/web/web: references Gateway/gateway/public (spec.parentRefs[1]), which nothing creates',
    ]);
  });

  it('checks PVCs, StorageClasses, ServiceAccounts, ConfigMaps and namespaces (optional references excepted)', async () => {
    const pod = deployment('web', 'web', {
      serviceAccountName: 'web',
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }, { name: 'optional', configMap: { name: 'maybe', optional: true } }],
      containers: [{ name: 'web', image: 'example/web:1.0', env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'settings', key: 'a' } } }] }],
    });
    const claim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'web' }, spec: { storageClassName: 'fast', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
    const elsewhere = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'nowhere' } };
    expect(short(await references({ 'manifests/web/deployment.yaml': pod, 'manifests/web/claim.yaml': claim, 'manifests/web/elsewhere.yaml': elsewhere }))).toEqual([
      'error PersistentVolumeClaim/web/data: references StorageClass/fast (spec.storageClassName), which nothing creates',
      'error Deployment/web/web: references ConfigMap/web/settings (spec.template.spec.containers[0].env[0].valueFrom.configMapKeyRef), which nothing creates',
      'error Deployment/web/web: references ServiceAccount/web/web (spec.template.spec.serviceAccountName), which nothing creates',
      'error ConfigMap/nowhere/x: references Namespace/nowhere (metadata.namespace), which nothing creates',
    ]);
  });

  it('looks for ClusterIssuer secrets in the cluster resource namespace; the ACME account key is written by cert-manager', async () => {
    const issuer = {
      apiVersion: 'cert-manager.io/v1',
      kind: 'ClusterIssuer',
      metadata: { name: 'letsencrypt' },
      spec: { acme: { server: 'https://acme.example', privateKeySecretRef: { name: 'account-key' }, solvers: [{ dns01: { cloudflare: { apiTokenSecretRef: { name: 'cloudflare', key: 'token' } } } }] } },
    };
    expect(short(await references({ 'manifests/web/issuer.yaml': issuer }))).toEqual([
      'error ClusterIssuer/letsencrypt: references Secret/cert-manager/cloudflare (spec.acme.solvers[0].dns01.cloudflare.apiTokenSecretRef), which nothing creates',
    ]);
    // The Secret exists, but holds no key 'token' (the fixture's only key is 'key').
    expect(short(await references({ 'manifests/web/issuer.yaml': issuer, 'manifests/web/token.yaml': secret('cloudflare', 'cert-manager') }))).toEqual([
      "error ClusterIssuer/letsencrypt: Application/argocd/web applies it, and it references Secret/cert-manager/cloudflare key token (spec.acme.solvers[0].dns01.cloudflare.apiTokenSecretRef), which Secret/cert-manager/cloudflare does not have (its keys: key)",
      'error Secret/cert-manager/cloudflare: references Namespace/cert-manager (metadata.namespace), which nothing creates',
    ]);
  });
});

describe('references: ReferenceGrants', () => {
  const route = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'web', namespace: 'web' }, spec: { rules: [{ backendRefs: [{ name: 'sso', namespace: 'auth', port: 80 }] }] } };
  const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'sso', namespace: 'auth' }, spec: { ports: [{ port: 80 }] } };
  const grant = (fromNamespace: string) => ({
    apiVersion: 'gateway.networking.k8s.io/v1beta1',
    kind: 'ReferenceGrant',
    metadata: { name: 'routes', namespace: 'auth' },
    spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: fromNamespace }], to: [{ group: '', kind: 'Service' }] },
  });
  const files = { 'apps/auth.yaml': application('auth'), 'manifests/auth/service.yaml': service, 'manifests/web/route.yaml': route };

  it('reports a cross-namespace backendRef no ReferenceGrant permits', async () => {
    expect(await references({ ...files, 'manifests/auth/grant.yaml': grant('other') })).toEqual([
      {
        check: 'references',
        severity: 'error',
        file: 'manifests/web/route.yaml',
        object: 'HTTPRoute/web/web',
        problem: 'references Service/auth/sso (spec.rules[0].backendRefs[0]) across namespaces, but no ReferenceGrant in auth lets HTTPRoutes from web refer to it',
        hint: 'The Gateway ignores the reference (RefNotPermitted): add a ReferenceGrant in auth from gateway.networking.k8s.io HTTPRoute in web to Services, or declare it external (--external ReferenceGrant/auth/*)',
      },
    ]);
    expect(await references({ ...files, 'manifests/auth/grant.yaml': grant('web') })).toEqual([]);
  });
});

describe('references: kustomize', () => {
  it('applies the kustomization namespace and name prefix, and counts generated Secrets as created', async () => {
    const pod = deployment('web', 'ignored', { containers: [{ name: 'web', image: 'example/web:1.0', envFrom: [{ secretRef: { name: 'creds' } }, { configMapRef: { name: 'missing' } }] }] });
    const files = {
      'manifests/web/kustomization.yaml': 'namespace: shop\nnamePrefix: p-\nresources: [deployment.yaml, namespace.yaml]\nsecretGenerator:\n  - name: creds\n    envs: [creds.env]\n',
      'manifests/web/creds.env': 'TOKEN=x\n',
      'manifests/web/deployment.yaml': pod,
      'manifests/web/namespace.yaml': { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
    };
    expect(short(await references(files))).toEqual([
      'error Deployment/shop/web: references ConfigMap/shop/missing (spec.template.spec.containers[0].envFrom[1].configMapRef), which nothing creates',
    ]);
  });
});

describe('references: what the target must have', () => {
  const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'web' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 8080 }] } };
  const gateway = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'internal', namespace: 'web' }, spec: { gatewayClassName: 'cilium', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } };
  const route = (port: number) => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'web', namespace: 'web' }, spec: { parentRefs: [{ name: 'internal' }], rules: [{ backendRefs: [{ name: 'web', port }] }] } });
  const reader = (env: object[], volumes: object[] = []) => deployment('web', 'web', { volumes, containers: [{ name: 'web', image: 'example/web:1.0', env }] });

  it('reports an HTTPRoute backend port the Service does not have, naming the Application', async () => {
    expect(await references({ 'manifests/web/all.yaml': [service, gateway, route(8080)] })).toEqual([]);
    expect(short(await references({ 'manifests/web/all.yaml': [service, gateway, route(80)] }))).toEqual([
      'error HTTPRoute/web/web: Application/argocd/web applies it, and it references Service/web/web port 80 (spec.rules[0].backendRefs[0]), which Service/web/web does not have (its ports: http: 8080)',
    ]);
  });

  it('reports Secret and ConfigMap keys that are missing (secretKeyRef, configMapKeyRef, volume items), unless optional', async () => {
    const config = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-config', namespace: 'web' }, data: { 'app.conf': 'x' } };
    const env = [
      { name: 'A', valueFrom: { secretKeyRef: { name: 'web-config', key: 'key' } } },
      { name: 'B', valueFrom: { secretKeyRef: { name: 'web-config', key: 'password' } } },
      { name: 'C', valueFrom: { secretKeyRef: { name: 'web-config', key: 'token', optional: true } } },
      { name: 'D', valueFrom: { configMapKeyRef: { name: 'web-config', key: 'app.conf' } } },
    ];
    const volumes = [{ name: 'c', configMap: { name: 'web-config', items: [{ key: 'other.conf', path: 'o' }] } }];
    expect(short(await references({ 'manifests/web/all.yaml': [secret('web-config', 'web'), config, reader(env, volumes)] }))).toEqual([
      'error Deployment/web/web: Application/argocd/web applies it, and it references ConfigMap/web/web-config key other.conf (spec.template.spec.volumes[0].configMap), which ConfigMap/web/web-config does not have (its keys: app.conf)',
      'error Deployment/web/web: Application/argocd/web applies it, and it references Secret/web/web-config key password (spec.template.spec.containers[0].env[1].valueFrom.secretKeyRef), which Secret/web/web-config does not have (its keys: key)',
    ]);
  });

  it('reads the keys of a SOPS-encrypted Secret (they stay plain text)', async () => {
    const sops = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'web-config', namespace: 'web' }, stringData: { token: 'ENC[AES256_GCM,data:x,type:str]' }, sops: { mac: 'ENC[x]' } };
    const plugin = { apiVersion: 'argoproj.io/v1alpha1', kind: 'ConfigManagementPlugin', metadata: { name: 'sops' }, spec: { discover: { fileName: '*.sops.yaml' } } };
    const use = reader([{ name: 'A', valueFrom: { secretKeyRef: { name: 'web-config', key: 'password' } } }]);
    expect(short(await references({ 'manifests/web/deployment.yaml': use, 'manifests/web/web-config.sops.yaml': sops, 'argocd/plugin.yaml': plugin }))).toEqual([
      'error Deployment/web/web: Application/argocd/web applies it, and it references Secret/web/web-config key password (spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef), which Secret/web/web-config does not have (its keys: token)',
    ]);
  });

  it('trusts chartObjects while charts are not rendered', async () => {
    const chartApp = application('web', { sources: [{ repoURL: 'https://charts.example.com', chart: 'web', targetRevision: '1.0.0' }, { repoURL: REPO, targetRevision: 'main', path: 'manifests/web' }] });
    expect(await references({ 'apps/web.yaml': chartApp, 'manifests/web/all.yaml': [gateway, route(80)], '.homelab-check.yaml': 'chartObjects: [Service/web/web]\n' })).toEqual([]);
  });
});

describe('NFS findings', () => {
  const nfsClass = (provisioner: string) => ({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'nfs-config' },
    provisioner,
    parameters: { server: '10.0.0.20', share: '/mnt/tank/k8s' },
  });
  const nfsVolume = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'media' },
    spec: { capacity: { storage: '1Ti' }, accessModes: ['ReadWriteMany'], csi: { driver: NFS_EXPORT_REQUIREMENTS.driver, volumeHandle: 'x', volumeAttributes: { server: '10.0.0.20', share: '/mnt/tank/media' } } },
  };

  it('say which export options every csi-driver-nfs StorageClass and PersistentVolume needs', async () => {
    const found = await references({ 'manifests/web/class.yaml': nfsClass(NFS_EXPORT_REQUIREMENTS.driver), 'manifests/web/volume.yaml': nfsVolume });
    expect(short(found)).toEqual([
      'info StorageClass/nfs-config: Application/argocd/web applies it, and its volumes live on the NFS export 10.0.0.20:/mnt/tank/k8s, whose options the tree cannot show',
      'info PersistentVolume/media: Application/argocd/web applies it, and its volumes live on the NFS export 10.0.0.20:/mnt/tank/media, whose options the tree cannot show',
    ]);
    for (const finding of found) {
      for (const option of NFS_EXPORT_REQUIREMENTS.truenas) expect(finding.hint).toContain(option);
      expect(finding.hint).toContain('no_root_squash');
    }
  });

  it('leave other provisioners alone', async () => {
    expect(await references({ 'manifests/web/class.yaml': nfsClass('rancher.io/local-path') })).toEqual([]);
  });
});
