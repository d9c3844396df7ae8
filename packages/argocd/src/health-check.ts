/**
 * The Application health check that makes sync waves hold across child Applications.
 *
 * ArgoCD 1.8 removed the built-in health assessment of argoproj.io/Application, so a parent
 * app-of-apps sees a child Application as healthy the moment it exists and starts the next wave
 * at once. This Lua (from the ArgoCD docs, "Resource Health → Argocd App") reports Progressing
 * until the child has a health status, then the child's own status: the parent waits for each
 * wave's Applications to become Healthy before it starts the next.
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/health/#argocd-app
 */

/** argocd-cm key of the health customization for argoproj.io/Application. */
export const APPLICATION_HEALTH_KEY = 'resource.customizations.health.argoproj.io_Application';

export const APPLICATION_HEALTH_LUA = `hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil then
  if obj.status.health ~= nil then
    hs.status = obj.status.health.status
    if obj.status.health.message ~= nil then
      hs.message = obj.status.health.message
    end
  end
end
return hs
`;
