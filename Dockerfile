# Multi-stage image for the API and the worker (one image, two commands).
# Not built on the development machines (no Docker engine there); kept correct by reading.
FROM node:20-bookworm-slim AS build
ENV TURBO_TELEMETRY_DISABLED=1 CI=true
RUN npm install -g pnpm@12.4.2
WORKDIR /src
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml turbo.json tsconfig.base.json ./
COPY apps ./apps
COPY packages ./packages
COPY test/package.json ./test/package.json
RUN pnpm install --frozen-lockfile
RUN pnpm exec turbo run build --filter=@cvat-backup/api --filter=@cvat-backup/worker --filter=@cvat-backup/cli
# A self-contained production tree per app (workspace packages copied in, dev dependencies left out).
RUN pnpm deploy --legacy --filter=@cvat-backup/api --prod /out/api \
 && pnpm deploy --legacy --filter=@cvat-backup/worker --prod /out/worker \
 && pnpm deploy --legacy --filter=@cvat-backup/cli --prod /out/cli

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 DATA_ROOT=/data
RUN groupadd --system app && useradd --system --gid app --home /app app \
 && mkdir -p /data && chown app:app /data
WORKDIR /app
COPY --from=build --chown=app:app /out/api ./api
COPY --from=build --chown=app:app /out/worker ./worker
COPY --from=build --chown=app:app /out/cli ./cli
RUN ln -s /app/cli/dist/main.js /usr/local/bin/cvat-backup
USER app
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# `docker run IMAGE` runs the API; the worker is `docker run IMAGE node worker/dist/main.js`.
CMD ["node", "api/dist/main.js"]
