# syntax=docker/dockerfile:1
#
# One image per service, all from this file: `docker build --target producer -t badam/producer:0.1.0 .`
# (docker-compose.yml builds every target with the image names the swarm stack expects). Targets: producer,
# consumer, fastify, hapi, restify, init. See docs/DEPLOY.md. Needs BuildKit (any current `docker build` or
# `docker compose build`), which builds only the stages a target uses.
#
# Each image carries its service, @badam/pipeline and the production dependencies of those two, nothing else: its
# build starts from `turbo prune` of its workspace, and a unit test (deployment/test/unit/
# image-dependencies.test.ts) checks that every package a service's code loads is one it declares. No service
# writes to its filesystem (not even /tmp), so the containers can run with a read-only root and no tmpfs.

# Node 24.21.0 on Debian bookworm, tag node:24.21.0-bookworm-slim, pinned by the digest of its multi-platform index
# (from docker-library/repo-info) so every rebuild starts from the same image. The same Node as scripts/setup.sh
# installs for the tests: a unit test (deployment/src/checks/node-runtime-checks.ts) fails when they drift apart.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim@sha256:0e0ff40c39bc087845bfb27465a0df4ea419520094bc35842ff83dd8cbe6f9b6

# --- each service's part of the repository: its workspace and the workspaces it depends on (full/), and their
# package.json files with the lockfile entries they need (json/), so each `npm ci` below stays cached until one of
# those changes. turbo is the version in the lockfile.
FROM ${NODE_IMAGE} AS pruned
ENV TURBO_TELEMETRY_DISABLED=1
WORKDIR /src
COPY . .
RUN turbo="turbo@$(node -p "require('./package-lock.json').packages['node_modules/turbo'].version")" \
 && for service in producer consumer fastify hapi restify init; do \
      npx --yes "$turbo" prune "@badam/$service" --docker --out-dir "/pruned/$service"; \
    done

# --- what the builds share: the tools and Debian libraries @confluentinc/kafka-javascript compiles from source with
# (its prebuilt binary cannot be fetched; dynamic linking, CONVENTIONS.md), against this Node's own headers.
FROM ${NODE_IMAGE} AS build-tools
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ pkg-config \
      zlib1g-dev libssl-dev libzstd-dev libcurl4-openssl-dev libsasl2-dev liblz4-dev \
 && rm -rf /var/lib/apt/lists/*
ENV TURBO_TELEMETRY_DISABLED=1 \
    CKJS_LINKING=dynamic \
    npm_package_config_node_gyp_nodedir=/usr/local
COPY scripts/image-build.sh /usr/local/bin/image-build
COPY tsconfig.base.json /app/
WORKDIR /app

# --- one build per service: install its pruned lockfile (devDependencies too, to compile), then image-build compiles,
# drops the devDependencies and gathers what the image runs into /out. The Kafka client's build is the one install
# script the project runs (package.json's allowScripts), so only the services that keep it run it: in the others it
# is only @badam/pipeline's devDependency (its types), removed with the rest.
FROM build-tools AS producer-build
COPY --from=pruned /pruned/producer/json/ ./
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild @confluentinc/kafka-javascript && node -e "require('@confluentinc/kafka-javascript')"
COPY --from=pruned /pruned/producer/full/ ./
RUN image-build /out

FROM build-tools AS consumer-build
COPY --from=pruned /pruned/consumer/json/ ./
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild @confluentinc/kafka-javascript && node -e "require('@confluentinc/kafka-javascript')"
COPY --from=pruned /pruned/consumer/full/ ./
RUN image-build /out

FROM build-tools AS fastify-build
COPY --from=pruned /pruned/fastify/json/ ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY --from=pruned /pruned/fastify/full/ ./
RUN image-build /out

FROM build-tools AS hapi-build
COPY --from=pruned /pruned/hapi/json/ ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY --from=pruned /pruned/hapi/full/ ./
RUN image-build /out

FROM build-tools AS restify-build
COPY --from=pruned /pruned/restify/json/ ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY --from=pruned /pruned/restify/full/ ./
RUN image-build /out

FROM build-tools AS init-build
COPY --from=pruned /pruned/init/json/ ./
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild @confluentinc/kafka-javascript && node -e "require('@confluentinc/kafka-javascript')"
COPY --from=pruned /pruned/init/full/ ./
RUN image-build /out

# --- what every service image shares: Node and an unprivileged user. Files stay owned by root: the service (user
# node) can read them, not change them.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
USER node
EXPOSE 3000
# Every service stops accepting, finishes in-flight work and exits on SIGTERM (SHUTDOWN_GRACE_MS).
STOPSIGNAL SIGTERM
# Liveness (/live), not readiness (/health): a dependency's outage makes every replica unready at once, and restarting
# them would not end it (pipeline/runtime/src/service/liveness.ts). The gateway routes on /health.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# --- plus the Kafka client's runtime libraries, for the services that talk to Kafka
FROM runtime AS runtime-kafka
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends zlib1g libssl3 libzstd1 libcurl4 libsasl2-2 liblz4-1 \
 && rm -rf /var/lib/apt/lists/*
USER node

FROM runtime-kafka AS producer
COPY --from=producer-build /out/ ./
CMD ["node", "services/producer/dist/src/server.js"]

FROM runtime-kafka AS consumer
COPY --from=consumer-build /out/ ./
CMD ["node", "services/consumer/dist/src/server.js"]

FROM runtime AS fastify
COPY --from=fastify-build /out/ ./
CMD ["node", "services/fastify/dist/src/server.js"]

FROM runtime AS hapi
COPY --from=hapi-build /out/ ./
CMD ["node", "services/hapi/dist/src/server.js"]

FROM runtime AS restify
COPY --from=restify-build /out/ ./
CMD ["node", "services/restify/dist/src/server.js"]

# One-shot: creates the topic, applies the migrations, exits 0. No HTTP server, so no health check. Its other
# commands, rebuild-read-model, dead-letters and move-to-cluster, are in the same image (docs/DEPLOY.md).
FROM runtime-kafka AS init
HEALTHCHECK NONE
COPY --from=init-build /out/ ./
CMD ["node", "services/init/dist/src/main.js"]
