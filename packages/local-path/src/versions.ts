/**
 * Pinned images, in one small file so Renovate (and people) find them. There is no chart: the
 * provisioner's objects are typed objects built in local-path.ts from upstream's
 * deploy/local-path-storage.yaml of the same release.
 */

/** The provisioner (rancher/local-path-provisioner). A bump is checked against that release's deploy manifest. */
export const LOCAL_PATH_PROVISIONER_IMAGE = {
  // renovate: datasource=docker depName=docker.io/rancher/local-path-provisioner
  repository: 'docker.io/rancher/local-path-provisioner',
  tag: 'v0.0.37',
} as const;

/**
 * The helper pod's image, which runs the setup and teardown scripts (`mkdir`, `rm -rf`) on the
 * node. Upstream names busybox without a tag; pinned here so a node never pulls a different one.
 */
export const HELPER_IMAGE = {
  // renovate: datasource=docker depName=docker.io/library/busybox
  repository: 'docker.io/library/busybox',
  tag: '1.37.0',
} as const;

/** `<repository>:<tag>` of a pinned image. */
export const imageRef = (image: { repository: string; tag: string }) => `${image.repository}:${image.tag}`;
