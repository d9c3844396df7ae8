/**
 * The Kubernetes objects bjw-s app-template renders from an app's values, built with
 * kubernetes-models so that their own schemas check what the chart will apply. Typed by shape:
 * @homelab/testing may not import @homelab/app-template.
 */
import { Container } from 'kubernetes-models/v1/Container';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { PodSecurityContext, type IPodSecurityContext } from 'kubernetes-models/v1/PodSecurityContext';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';
import { Service } from 'kubernetes-models/v1/Service';

/** The parts of app-template values (one controller `main`, one container `app`) the objects are made of. */
export interface AppTemplateValuesShape {
  controllers: Record<
    string,
    {
      strategy?: string;
      pod: { securityContext: IPodSecurityContext };
      containers: Record<
        string,
        {
          image: { repository: string; tag: string };
          env?: Record<string, string | { valueFrom: { secretKeyRef: { name: string; key: string } } }>;
          probes?: Record<string, { spec: IProbe }>;
          resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
          securityContext: ISecurityContext;
        }
      >;
    }
  >;
  service: Record<string, { type: 'ClusterIP' | 'LoadBalancer'; annotations?: Record<string, string>; ports: Record<string, { port: number; protocol: string }> }>;
  persistence: Record<
    string,
    | { type: 'persistentVolumeClaim'; storageClass: string; accessMode: 'ReadWriteOnce' | 'ReadWriteMany' | 'ReadOnlyMany' | 'ReadWriteOncePod'; size: string; globalMounts: { path: string; readOnly: boolean }[] }
    | { type: 'persistentVolumeClaim'; existingClaim: string; globalMounts: { path: string; readOnly: boolean }[] }
    | { type: 'emptyDir'; sizeLimit?: string; globalMounts: { path: string; readOnly: boolean }[] }
  >;
}

export interface AppTemplateObjects {
  services: Service[];
  /** The claims the chart creates (existing claims are only mounted). */
  claims: PersistentVolumeClaim[];
  /** All of them: Services, claims, the app container and the pod security context. */
  objects: (Service | PersistentVolumeClaim | Container | PodSecurityContext)[];
}

/**
 * What app-template renders from `component.values`, named as app-template names them (`names`:
 * app-template's `appResourceNames(description)`), in `component.namespace`.
 */
export function appTemplateObjects(
  component: { namespace: string; values: AppTemplateValuesShape },
  names: { services: Record<string, string>; claims: Record<string, string> },
): AppTemplateObjects {
  const { namespace, values } = component;
  const protocolOf = (port: { protocol: string }) => (port.protocol === 'UDP' ? ('UDP' as const) : ('TCP' as const));
  const services = Object.entries(values.service).map(
    ([key, service]) =>
      new Service({
        metadata: { name: names.services[key]!, namespace, ...(service.annotations ? { annotations: service.annotations } : {}) },
        spec: { type: service.type, ports: Object.entries(service.ports).map(([name, port]) => ({ name, port: port.port, targetPort: port.port, protocol: protocolOf(port) })) },
      }),
  );
  const claims = Object.entries(values.persistence).flatMap(([key, item]) =>
    item.type === 'persistentVolumeClaim' && 'size' in item
      ? [new PersistentVolumeClaim({ metadata: { name: names.claims[key]!, namespace }, spec: { accessModes: [item.accessMode], storageClassName: item.storageClass, resources: { requests: { storage: item.size } } } })]
      : [],
  );
  const main = values.controllers['main']!;
  const container = main.containers['app']!;
  const rendered = new Container({
    name: 'app',
    image: `${container.image.repository}:${container.image.tag}`,
    env: Object.entries(container.env ?? {}).map(([name, value]) => (typeof value === 'string' ? { name, value } : { name, valueFrom: value.valueFrom })),
    ports: Object.values(values.service).flatMap((service) => Object.entries(service.ports).map(([name, port]) => ({ name, containerPort: port.port, protocol: protocolOf(port) }))),
    volumeMounts: Object.entries(values.persistence).flatMap(([name, item]) => item.globalMounts.map((mount) => ({ name, mountPath: mount.path, readOnly: mount.readOnly }))),
    ...Object.fromEntries(Object.entries(container.probes ?? {}).map(([kind, probe]) => [`${kind}Probe`, probe.spec])),
    ...(container.resources ? { resources: container.resources } : {}),
    securityContext: container.securityContext,
  });
  return { services, claims, objects: [...services, ...claims, rendered, new PodSecurityContext(main.pod.securityContext)] };
}
