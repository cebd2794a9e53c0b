# One image for the API and the workers: Node 20 on Debian 12 with Debian's GDAL, which gdal-async
# links against (the install settings: scripts/npm-install-env.sh).
FROM node:20-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgdal-dev gdal-bin chromium \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm_config_build_from_source=gdal-async npm_config_shared_gdal=true ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
COPY . .
ENV NODE_ENV=production
