export { authentik, authentikModule, nfsIdentity, BLUEPRINT_KEY, type AuthentikValues } from './authentik.js';
export { authentikBlueprint, blueprintYaml, oidcApplications, proxyApplications, AUTHENTIK_BUILTINS, BlueprintTag, type Blueprint, type BlueprintEntry, type OidcApplication, type ProxyApplication } from './blueprint.js';
export { authentikRouteBuilder, authentikSsoProxy, outpostReferenceGrants, protectedRoute, type ProtectedRoute } from './forward-auth.js';
export { AUTHENTIK_DEFAULTS, type AuthentikSettings, type OidcClient } from './defaults.js';
export { EMBEDDED_OUTPOST_SERVICE } from './names.js';
export { AUTHENTIK_CHART } from './versions.js';
