# syntax=docker/dockerfile:1
#
# One image per service, all from this file: `docker build --target producer -t badam/producer:0.1.0 .`
# (docker-compose.yml builds every target with the image names the swarm stack expects). Targets: producer,
# consumer, fastify, hapi, restify, init. See docs/DEPLOY.md.

# Current Node LTS on Debian bookworm, pinned to the patch release so a rebuild gets the same runtime.
ARG NODE_IMAGE=node:24.11.1-bookworm-slim

# --- the workspaces' package.json files alone, so `npm ci` below is cached until a manifest or the lockfile changes
# (editing source does not rebuild the Kafka client). Found by search, so a new workspace needs no change here.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN find . -name package.json -not -path '*/node_modules/*' -exec sh -c \
      'mkdir -p "/manifests/$(dirname "$1")" && cp "$1" "/manifests/$1"' _ {} \; \
 && cp package-lock.json /manifests/

# --- install (builds @confluentinc/kafka-javascript from source against Debian's libraries), compile, prune
FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ pkg-config \
      zlib1g-dev libssl-dev libzstd-dev libcurl4-openssl-dev libsasl2-dev liblz4-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=manifests /manifests/ ./
# The prebuilt binary cannot be fetched here; dynamic linking uses the -dev libraries above (CONVENTIONS.md).
RUN CKJS_LINKING=dynamic npm ci --no-audit --no-fund \
 && node -e "require('@confluentinc/kafka-javascript')"
COPY tsconfig.base.json ./
COPY pipeline/ pipeline/
COPY services/ services/
# pipeline first: the services compile against its declarations.
RUN npx tsc -p pipeline \
 && for service in services/*/; do npx tsc -p "$service"; done \
 && npm prune --omit=dev --no-audit --no-fund

# --- what every service image shares: Node, the Kafka client's runtime libraries, production node_modules, pipeline
FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends zlib1g libssl3 libzstd1 libcurl4 libsasl2-2 liblz4-1 \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
# Files stay owned by root: the service (user node) can read them, not change them.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules/ node_modules/
COPY --from=build /app/pipeline/package.json pipeline/
COPY --from=build /app/pipeline/dist/src/ pipeline/dist/src/
USER node
EXPOSE 3000
# Every service stops accepting, finishes in-flight work and exits on SIGTERM (SHUTDOWN_GRACE_MS).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

FROM runtime AS producer
COPY --from=build /app/services/producer/package.json services/producer/
COPY --from=build /app/services/producer/dist/src/ services/producer/dist/src/
CMD ["node", "services/producer/dist/src/server.js"]

FROM runtime AS consumer
COPY --from=build /app/services/consumer/package.json services/consumer/
COPY --from=build /app/services/consumer/dist/src/ services/consumer/dist/src/
CMD ["node", "services/consumer/dist/src/server.js"]

FROM runtime AS fastify
COPY --from=build /app/services/fastify/package.json services/fastify/
COPY --from=build /app/services/fastify/dist/src/ services/fastify/dist/src/
CMD ["node", "services/fastify/dist/src/server.js"]

FROM runtime AS hapi
COPY --from=build /app/services/hapi/package.json services/hapi/
COPY --from=build /app/services/hapi/dist/src/ services/hapi/dist/src/
CMD ["node", "services/hapi/dist/src/server.js"]

FROM runtime AS restify
COPY --from=build /app/services/restify/package.json services/restify/
COPY --from=build /app/services/restify/dist/src/ services/restify/dist/src/
CMD ["node", "services/restify/dist/src/server.js"]

# One-shot: creates the topic, applies the migrations, exits 0. No HTTP server, so no health check.
FROM runtime AS init
HEALTHCHECK NONE
COPY --from=build /app/services/init/package.json services/init/
COPY --from=build /app/services/init/dist/src/ services/init/dist/src/
CMD ["node", "services/init/dist/src/main.js"]
