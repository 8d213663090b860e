/**
 * @svpn/dashboard — the operator web UI. The browser code lives in `src/app/` and is bundled into
 * `dist/` (index.html, app.js, app.css) by `npm run build -w @svpn/dashboard`; the api service
 * serves that directory at `/`. This entry is the Node side: where the build goes and how to make it.
 */
export {
  buildDashboard,
  dashboardIsBuilt,
  dashboardIsStale,
  ensureDashboardBuilt,
  DashboardBuildError,
  DASHBOARD_DIST_DIR,
  DASHBOARD_FILES,
  type BuildDashboardOptions,
  type BuildDashboardResult,
} from './build/build-dashboard.js';
