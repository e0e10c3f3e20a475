# syntax=docker/dockerfile:1
# The service's runtime image. The build stage has the compilers and every npm package; the runtime stage keeps only
# what `npm start` runs: production npm packages, the built mediasoup worker, the captions and vision models, the
# client bundle and the sources (run by tsx). Chromium, PostgreSQL, Redis and the benchmark tools stay out.

FROM node:20-bookworm AS build
WORKDIR /app
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      g++ make patch python3 python3-pip libssl-dev flatbuffers-compiler libpocketsphinx3 pocketsphinx-en-us \
 && rm -rf /var/lib/apt/lists/*
ENV MEDIASOUP_WORKER_BIN=/app/.cache/mediasoup-worker/mediasoup-worker-3.8.4 PUPPETEER_SKIP_DOWNLOAD=1
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node_modules/.bin/tsx scripts/build-caption-lm.ts \
 && node_modules/.bin/tsx scripts/build-vision-models.ts \
 && bash scripts/build-mediasoup-worker.sh \
 && node scripts/build-client.mjs \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
# PocketSphinx and its acoustic model for captions; curl for the health check.
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libpocketsphinx3 pocketsphinx-en-us libssl3 curl \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /app/package.json /app/tsconfig.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/.cache/mediasoup-worker/mediasoup-worker-3.8.4 ./.cache/mediasoup-worker/
COPY --from=build /app/.cache/models ./.cache/models
COPY --from=build /app/.cache/captions ./.cache/captions
COPY --from=build /app/dist/client ./dist/client
COPY --from=build /app/server ./server
COPY --from=build /app/media ./media
COPY --from=build /app/signaling ./signaling
COPY --from=build /app/config ./config
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 RECORDS_DIR=/app/data/records
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s CMD curl -fsS http://127.0.0.1:3000/healthz || exit 1
CMD ["node", "--import", "tsx", "server/main.ts"]
