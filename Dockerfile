# syntax=docker/dockerfile:1
#
# One image for every svpn service. The container runs `svpn run <service>`: the service is the
# command (`docker run svpn:local run policy`), its configuration the environment (docs/operations.md).
# docker-compose.yml and deploy/k8s/ run each service from this image as its own container.
#
# The sources run as TypeScript through tsx (services/cli/bin/svpn.js registers it), so there is no
# build step, and tsx is needed at run time. It is a devDependency today, so the image installs the
# whole lock file (`npm ci`, dev dependencies included); see deploy/README.md.

# --- 1. manifests: only the package.json files and the lock file, so `npm ci` stays cached while
#        sources change.
FROM node:20-bookworm-slim AS manifests
WORKDIR /src
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json -delete \
 && find . -depth -type d -empty -delete

# --- 2. build: install the workspaces from the lock file, then add the sources.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY --from=manifests /src/ ./
RUN npm ci --no-audit --no-fund --loglevel=error \
 && npm cache clean --force
COPY . .
# The operator dashboard the api service serves at `/` (esbuild bundle into services/dashboard/dist;
# the runtime file system is read-only, so it is built here, not on first start).
RUN npm run --workspace @svpn/dashboard build

# --- 3. runtime: the same tree, owned by root and read-only for the unprivileged `node` user.
FROM node:20-bookworm-slim
LABEL org.opencontainers.image.title="svpn" \
      org.opencontainers.image.description="Service-VPN broker: VPN capacity on demand over SIP"
WORKDIR /app
COPY --from=build /app /app
# tsx keeps its transpile cache under the temporary directory; with a read-only root file system,
# mount a writable /tmp (deploy/k8s does).
ENV TMPDIR=/tmp
# V8 flags of every svpn process: services/cli/src/node-flags.ts (NODE_FLAGS) says why; test/deploy
# checks they match. A NODE_OPTIONS of the deployment replaces them: keep them in it.
ENV NODE_OPTIONS="--max-semi-space-size=64"
USER node
# Gateway SIP (UDP and TCP) and the default HTTP ports: gateway, policy, provisioner, charging, api.
EXPOSE 5060/udp 5060/tcp 8081 8082 8083 8084 8085
# Exec form: node is PID 1 and gets SIGTERM itself, so every service drains (handleShutdown).
ENTRYPOINT ["node", "services/cli/bin/svpn.js"]
CMD ["run", "sip-gateway"]
