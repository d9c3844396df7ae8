export { tailscale, tailscaleModule, tagOwnersSnippet, type TailnetPolicySnippet, type TailscaleValues } from './tailscale.js';
export { tailnetObjects } from './tailnet.js';
export { Connector, type ConnectorData, type ConnectorSpec } from './connector.js';
export { TAILSCALE_DEFAULTS, type TailscaleSettings } from './defaults.js';
export { TAILSCALE_OPERATOR_CHART } from './versions.js';
