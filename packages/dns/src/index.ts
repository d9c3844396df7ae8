export { dnsArtifact, piholeFiles, customList, tomlHosts } from './pihole.js';
export { dnsRecords, fixedLoadBalancers, loadBalancerHost, type DnsRecord, type FixedLoadBalancer } from './records.js';
export { DNS_DEFAULTS, DNS_FILES, LB_IPS_ANNOTATION, type DnsSettings } from './defaults.js';
