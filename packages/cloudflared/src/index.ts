export { cloudflared, cloudflaredModule, type CloudflaredValues } from './cloudflared.js';
export { tunnelDnsRecords, tunnelIngress, CATCH_ALL_RULE, TUNNEL_DNS_SUFFIX, type TunnelDnsRecord, type TunnelIngressRule } from './tunnel.js';
export { CLOUDFLARED_DEFAULTS, type CloudflaredLogLevel, type CloudflaredSettings } from './defaults.js';
export { CLOUDFLARED_CHART, CLOUDFLARED_IMAGE } from './versions.js';
