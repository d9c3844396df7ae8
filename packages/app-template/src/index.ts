/**
 * @homelab/app-template: a library for app packages (not a component itself). Describe an app in a
 * few typed fields; get bjw-s app-template values and a complete Component back.
 */
export {
  appComponent,
  appResourceNames,
  appTemplateValues,
  workloadDefaults,
  type AppComponent,
  type AppComponentOptions,
  type AppResourceNames,
  type AppTemplateContainer,
  type AppTemplateController,
  type AppTemplateEnvValue,
  type AppTemplateMount,
  type AppTemplatePersistence,
  type AppTemplateProbe,
  type AppTemplateService,
  type AppTemplateServicePort,
  type AppTemplateValues,
  type WorkloadDefaults,
} from './app-template.js';
export type {
  AppClaimVolume,
  AppDescription,
  AppEmptyDirVolume,
  AppExistingClaimVolume,
  AppExposure,
  AppImage,
  AppPort,
  AppProbe,
  AppProbes,
  AppProbeTiming,
  AppResources,
  AppSecurityContext,
  AppService,
  AppVolume,
} from './description.js';
export { APP_TEMPLATE_DEFAULTS, type AppTemplateDefaults } from './defaults.js';
export { APP_TEMPLATE_CHART } from './versions.js';
export { appReach, lanServiceWhenAddressed, loadBalancerService, type AppReach, type ReachDefaults } from './reach.js';
export {
  LINUXSERVER_CAPABILITIES,
  linuxserverContainer,
  linuxserverSecurityContext,
  type LinuxserverContainer,
  type LinuxserverOptions,
} from './linuxserver.js';
export { internalLinuxserverApp, type InternalLinuxserverApp, type InternalLinuxserverAppSettings } from './internal-linuxserver-app.js';
